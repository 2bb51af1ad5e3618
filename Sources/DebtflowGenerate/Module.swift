// DebtflowGenerate: see DESIGN.md §1. This placeholder is replaced as the module is built.
import DebtflowCore
