// swift-tools-version: 6.0
import PackageDescription

/// debtflow: a streaming ETL pipeline for debt-collection imports.
///
/// One module per stage (see DESIGN.md §1). The core imports no C and no networking; only the
/// modules that need zlib, libxml2 or FoundationNetworking import them.
let package = Package(
    name: "debtflow",
    products: [
        .executable(name: "debtflow", targets: ["DebtflowCLI"]),
    ],
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        .target(name: "DebtflowCore"),
        .target(name: "DebtflowGzip", dependencies: ["CZlib", "DebtflowCore"]),
        .target(name: "DebtflowHTTP", dependencies: ["DebtflowCore"]),
        .target(name: "DebtflowJSON", dependencies: ["DebtflowCore"]),
        .target(name: "DebtflowSignals"),
        .target(name: "DebtflowRead", dependencies: ["DebtflowCore", "DebtflowGzip", "DebtflowHTTP", "DebtflowJSON", "CLibXML2"]),
        .target(name: "DebtflowNormalize", dependencies: ["DebtflowCore"]),
        .target(name: "DebtflowMap", dependencies: ["DebtflowCore"]),
        .target(name: "DebtflowClassify", dependencies: ["DebtflowCore"]),
        .target(name: "DebtflowValidate", dependencies: ["DebtflowCore"]),
        .target(name: "DebtflowSink", dependencies: ["DebtflowCore", "DebtflowGzip", "DebtflowHTTP", "DebtflowJSON"]),
        .target(name: "DebtflowPipeline", dependencies: [
            "DebtflowCore", "DebtflowJSON", "DebtflowRead", "DebtflowMap", "DebtflowNormalize", "DebtflowClassify",
            "DebtflowValidate", "DebtflowSink", "DebtflowGzip", "DebtflowHTTP",
        ]),
        .target(name: "DebtflowSandbox", dependencies: [
            "DebtflowCore", "DebtflowGzip", "DebtflowJSON", "DebtflowNormalize", "DebtflowClassify", "DebtflowValidate",
            "DebtflowSignals",
        ]),
        .target(name: "DebtflowGenerate", dependencies: ["DebtflowCore", "DebtflowGzip"]),
        .executableTarget(name: "DebtflowCLI", dependencies: [
            "DebtflowCore", "DebtflowPipeline", "DebtflowNormalize", "DebtflowClassify", "DebtflowSink", "DebtflowSandbox",
            "DebtflowGenerate", "DebtflowSignals",
        ]),
        .target(name: "DebtflowTestSupport", dependencies: ["DebtflowCore"], path: "Tests/DebtflowTestSupport"),

        .testTarget(name: "DebtflowCoreTests", dependencies: ["DebtflowCore", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowGzipTests", dependencies: ["DebtflowGzip", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowReadTests", dependencies: ["DebtflowRead", "DebtflowJSON", "DebtflowGzip", "DebtflowTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DebtflowNormalizeTests", dependencies: ["DebtflowNormalize", "DebtflowTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DebtflowMapTests", dependencies: ["DebtflowMap", "DebtflowRead", "DebtflowJSON", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowClassifyTests", dependencies: ["DebtflowClassify", "DebtflowNormalize", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowValidateTests", dependencies: ["DebtflowValidate", "DebtflowNormalize", "DebtflowClassify", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowSinkTests", dependencies: ["DebtflowSink", "DebtflowRead", "DebtflowGzip", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowPipelineTests", dependencies: [
            "DebtflowPipeline", "DebtflowRead", "DebtflowMap", "DebtflowNormalize", "DebtflowClassify", "DebtflowValidate",
            "DebtflowSink", "DebtflowTestSupport",
        ]),
        .testTarget(name: "DebtflowSignalsTests", dependencies: ["DebtflowSignals"]),
        .testTarget(name: "DebtflowSandboxTests", dependencies: ["DebtflowSandbox", "DebtflowJSON", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowGenerateTests", dependencies: ["DebtflowGenerate", "DebtflowTestSupport"]),
        .testTarget(name: "DebtflowCLITests", dependencies: ["DebtflowCore", "DebtflowTestSupport"]),
    ]
)

// Shared settings in one loop (swift-log's way): Swift 6 mode everywhere, and the upcoming
// features that keep existentials and imports honest.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
