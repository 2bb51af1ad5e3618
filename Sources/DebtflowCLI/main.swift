import DebtflowCore
print("debtflow: under construction")
