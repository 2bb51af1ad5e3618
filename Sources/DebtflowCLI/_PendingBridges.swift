import DebtflowCore
enum SandboxCommandBridge { static func run(_ a: [String]) throws -> Int32 { throw DebtflowError.usage("pending") } }
