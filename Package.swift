// swift-tools-version:6.2
import PackageDescription

// Built and tested on Linux (Debian 12) with the Swift 6.3 toolchain: no platform is claimed
// beyond it. Every target lists each module it imports; `make lint` checks that, and that the
// imports follow the layering of docs/ARCHITECTURE.md (scripts/check-layering).

/// A product of another package.
func product(_ name: String, _ package: String) -> Target.Dependency {
    .product(name: name, package: package)
}

let package = Package(
    name: "Photodesk",
    products: [
        .executable(name: "photodesk", targets: ["photodesk"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System libraries and the small C target over them.
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .systemLibrary(name: "CExif", pkgConfig: "libexif", providers: [.apt(["libexif-dev"])]),
        .systemLibrary(
            name: "CCmark", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .target(name: "CImaging", dependencies: ["CVips", "CExif"]),

        // Values, pictures and metadata.
        .target(name: "PhotoModel"),
        .target(name: "Imaging", dependencies: ["CImaging", "PhotoModel", product("Logging", "swift-log")]),
        .target(
            name: "Metadata", dependencies: ["CImaging", "Imaging", "PhotoModel", product("Crypto", "swift-crypto")]),
        .target(name: "ArticleMarkdown", dependencies: ["CCmark"]),
        .target(name: "Rights", dependencies: [product("Yams", "Yams")]),

        // The catalog: its protocols, its two backends, and the desk in front of them.
        .target(name: "Catalog", dependencies: ["PhotoModel"]),
        .target(
            name: "CatalogSQLite",
            dependencies: [
                "Catalog", "PhotoModel", product("GRDB", "GRDB.swift"), product("GRDBSQLite", "GRDB.swift"),
            ]),
        .target(
            name: "CatalogPostgres",
            dependencies: [
                "Catalog", "PhotoModel", product("PostgresNIO", "postgres-nio"), product("Logging", "swift-log"),
            ],
            resources: [.embedInCode("Schema")]
        ),
        .target(name: "SearchMemory", dependencies: ["Catalog", product("Logging", "swift-log")]),

        // Object storage: an S3 client of the project's own (Signature V4 over AsyncHTTPClient).
        .target(
            name: "ObjectStorage",
            dependencies: [
                "PhotoModel", product("AsyncHTTPClient", "async-http-client"), product("Crypto", "swift-crypto"),
                product("NIOCore", "swift-nio"), product("NIOHTTP1", "swift-nio"),
            ]),
        .target(
            name: "Desk",
            dependencies: [
                "Catalog", "PhotoModel", "Rights", product("Crypto", "swift-crypto"),
                product("HummingbirdBcrypt", "hummingbird-auth"),
            ]),

        // What runs on the desk: ingest, exports, the gallery, the command line.
        .target(
            name: "Ingest",
            dependencies: [
                "Imaging", "Metadata", "Catalog", "Desk", "PhotoModel", "Rights", product("Crypto", "swift-crypto"),
                product("Logging", "swift-log"), product("Yams", "Yams"),
            ]
        ),
        .target(name: "Exports", dependencies: ["Desk", "Catalog", "PhotoModel", "Metadata", "Imaging"]),
        .target(
            name: "Gallery",
            dependencies: [
                "ArticleMarkdown", "Desk", "Catalog", "PhotoModel", "Imaging",
                product("Hummingbird", "hummingbird"), product("HummingbirdCore", "hummingbird"),
                product("Mustache", "swift-mustache"), product("HTTPTypes", "swift-http-types"),
                product("Crypto", "swift-crypto"), product("Logging", "swift-log"),
                product("NIOCore", "swift-nio"), product("NIOPosix", "swift-nio"), product("NIOHTTP1", "swift-nio"),
                product("_NIOFileSystem", "swift-nio"), product("NIOHTTPTypes", "swift-nio-extras"),
                product("ServiceLifecycle", "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "photodesk",
            dependencies: [
                "Imaging", "Metadata", "PhotoModel", "Catalog", "CatalogSQLite", "CatalogPostgres", "SearchMemory",
                "Desk", "ObjectStorage",
                "Ingest", "Gallery", "PhotoFactory", "Exports", product("ArgumentParser", "swift-argument-parser"),
                product("Crypto", "swift-crypto"),
                product("Hummingbird", "hummingbird"), product("Logging", "swift-log"), product("Yams", "Yams"),
            ]
        ),

        // Fixtures, the fuzzer and the benchmark.
        .target(name: "PhotoFactory", dependencies: ["Imaging", "Metadata", "PhotoModel", "ObjectStorage"]),
        .executableTarget(
            name: "MetadataFuzz",
            dependencies: ["ArticleMarkdown", "Metadata", "Gallery", "Desk", "Catalog", "PhotoModel"]),
        .executableTarget(
            name: "PhotodeskBench",
            dependencies: [
                "Catalog", "CatalogSQLite", "CatalogPostgres", "SearchMemory", "Desk", "PhotoModel", "Imaging",
                "Metadata", "PhotoFactory", "ObjectStorage", product("PostgresNIO", "postgres-nio"),
                product("Logging", "swift-log"),
            ]),

        // Tests, a target per module (and the end-to-end and conformance suites).
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Metadata", "PhotoFactory"]),
        .testTarget(name: "MetadataTests", dependencies: ["Imaging", "Metadata", "PhotoFactory", "PhotoModel"]),
        .testTarget(name: "ArticleMarkdownTests", dependencies: ["ArticleMarkdown"]),
        .testTarget(name: "RightsTests", dependencies: ["Rights"]),
        .testTarget(
            name: "ObjectStorageTests",
            dependencies: [
                "ObjectStorage", "PhotoFactory", product("NIOCore", "swift-nio"), product("Crypto", "swift-crypto"),
            ]),
        .testTarget(
            name: "CatalogContractTests",
            dependencies: [
                "Catalog", "CatalogSQLite", "CatalogPostgres", "SearchMemory", "Desk", "PhotoModel", "PhotoFactory",
                product("PostgresNIO", "postgres-nio"), product("GRDB", "GRDB.swift"), product("Logging", "swift-log"),
            ]),
        .testTarget(
            name: "DeskTests",
            dependencies: ["Desk", "Catalog", "CatalogSQLite", "PhotoModel", "PhotoFactory", "Rights"]),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Ingest", "Imaging", "PhotoFactory", "Metadata", "Desk", "Catalog", "CatalogSQLite", "PhotoModel",
            ]),
        .testTarget(
            name: "GalleryTests",
            dependencies: [
                "Gallery", "Ingest", "Imaging", "Metadata", "PhotoFactory", "Desk", "Catalog", "CatalogSQLite",
                "PhotoModel", product("Hummingbird", "hummingbird"), product("HummingbirdTesting", "hummingbird"),
                product("HTTPTypes", "swift-http-types"), product("Crypto", "swift-crypto"),
                product("NIOCore", "swift-nio"), product("NIOEmbedded", "swift-nio"),
                product("NIOHTTPTypes", "swift-nio-extras"),
            ]
        ),
        .testTarget(
            name: "ExportsTests",
            dependencies: [
                "Exports", "Imaging", "Ingest", "Metadata", "PhotoFactory", "Desk", "Catalog", "CatalogSQLite",
                "PhotoModel",
            ]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "photodesk", "PhotoFactory", "Metadata", "Imaging", "Gallery", "Desk", "Catalog", "CatalogSQLite",
                "CatalogPostgres", "PhotoModel", "ObjectStorage", product("PostgresNIO", "postgres-nio"),
                product("Logging", "swift-log"),
            ]),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["Ingest", "Catalog", "CatalogSQLite", "Desk", "Metadata", "Imaging", "PhotoFactory"]),
    ],
    swiftLanguageModes: [.v6]
)
