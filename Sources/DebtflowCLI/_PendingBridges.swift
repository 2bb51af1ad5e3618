import DebtflowCore
enum PhoneCommand { static func run(_ a: [String]) throws -> Int32 { throw DebtflowError.usage("pending") } }
enum SandboxCommandBridge { static func run(_ a: [String]) throws -> Int32 { throw DebtflowError.usage("pending") } }
enum GenerateCommandBridge { static func run(_ a: [String]) throws -> Int32 { throw DebtflowError.usage("pending") } }
