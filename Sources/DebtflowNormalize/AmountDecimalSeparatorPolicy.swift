/// Which sign separates the decimals of an amount: the pipeline config's `normalize.decimal`
/// (`auto`, `,` or `.`; CONTRACT.md §2 and §4).
public enum DecimalSeparatorPolicy: String, Sendable, CaseIterable {
    /// Decide per amount: when both `.` and `,` appear the rightmost is the decimal separator;
    /// a lone `,` is decimal; a lone `.` is decimal unless it repeats (`1.234.567` = 1234567),
    /// and a repeated `,` groups thousands likewise (`1,234,567`).
    case auto
    /// `,` separates the decimals; `.` (and spaces) group thousands.
    case comma = ","
    /// `.` separates the decimals; `,` (and spaces) group thousands.
    case dot = "."
}
