// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Photodesk",
    platforms: [.macOS(.v14)],
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
    ],
    targets: [
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .systemLibrary(name: "CExif", pkgConfig: "libexif", providers: [.apt(["libexif-dev"])]),
        .target(name: "CImaging", dependencies: ["CVips", "CExif"]),
        .target(
            name: "Imaging",
            dependencies: ["CImaging", "PhotoModel", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "PhotoModel"),
        .target(
            name: "Metadata",
            dependencies: ["Imaging", "PhotoModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "PhotoFactory", dependencies: ["Imaging", "Metadata"]),
        .target(name: "Catalog", dependencies: ["PhotoModel"]),
        .target(
            name: "CatalogSQLite",
            dependencies: ["Catalog", "PhotoModel", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "CatalogPostgres",
            dependencies: [
                "Catalog", "PhotoModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Schema")]
        ),
        .target(
            name: "Desk", dependencies: ["Catalog", "PhotoModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Ingest",
            dependencies: [
                "Imaging", "Metadata", "Catalog", "Desk", "PhotoModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "Exports", dependencies: ["Desk", "Catalog", "PhotoModel", "Metadata", "Imaging"]),
        .target(
            name: "Gallery",
            dependencies: [
                "Desk", "Catalog", "PhotoModel", "Imaging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "photodesk",
            dependencies: [
                "Imaging", "Metadata", "PhotoModel", "Catalog", "CatalogSQLite", "CatalogPostgres", "Desk", "Ingest",
                "Gallery",
                "PhotoFactory", "Exports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "MetadataFuzz", dependencies: ["Metadata", "Gallery", "Desk", "Catalog", "PhotoModel"]),
        .executableTarget(
            name: "PhotodeskBench",
            dependencies: [
                "Catalog", "CatalogSQLite", "CatalogPostgres", "Desk", "PhotoModel", "Imaging", "Metadata",
                "PhotoFactory",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "Metadata", "PhotoFactory"]),
        .testTarget(name: "MetadataTests", dependencies: ["Metadata", "PhotoFactory"]),
        .testTarget(
            name: "CatalogContractTests",
            dependencies: [
                "Catalog", "CatalogSQLite", "CatalogPostgres", "Desk", "PhotoModel", "PhotoFactory",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(name: "DeskTests", dependencies: ["Desk", "Catalog", "CatalogSQLite", "PhotoModel"]),
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest", "PhotoFactory", "Metadata", "Desk", "Catalog", "CatalogSQLite", "PhotoModel"]),
        .testTarget(
            name: "GalleryTests",
            dependencies: [
                "Gallery", "Ingest", "PhotoFactory", "Desk", "Catalog", "CatalogSQLite", "PhotoModel",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .testTarget(
            name: "ExportsTests",
            dependencies: ["Exports", "Ingest", "PhotoFactory", "Desk", "Catalog", "CatalogSQLite", "PhotoModel"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "photodesk", "PhotoFactory", "Metadata", "Imaging", "Gallery", "Desk", "Catalog", "CatalogSQLite",
                "CatalogPostgres", "PhotoModel",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["Ingest", "Catalog", "CatalogSQLite", "Desk", "Metadata", "Imaging", "PhotoFactory"]),
    ],
    swiftLanguageModes: [.v6]
)
