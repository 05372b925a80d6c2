import Foundation
import Metadata

/// Feeds untrusted bytes to every metadata parser: IPTC-IIM, XMP and EXIF (libexif).
func parseEverything(_ data: Data) {
    _ = IPTCReader.read(data)
    _ = try? XMPReader.read(data)
    _ = ExifReader.read(data)
}

#if FUZZING
    /// libFuzzer's entry point (`make fuzz`, built with -sanitize=fuzzer,address).
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        if let bytes { parseEverything(Data(bytes: bytes, count: count)) }
        return 0
    }

    /// libFuzzer's driver in compiler-rt: `int LLVMFuzzerRunDriver(int *, char ***, int (*)(const uint8_t *, size_t))`.
    /// Its arguments are three pointers and it returns an int, which Swift's calling convention
    /// passes as C does on the platforms the fuzzer runs on.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The executable's entry point, under the name SwiftPM gives it: libFuzzer takes over.
    @_cdecl("MetadataFuzz_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var vector = argv
        return runFuzzerDriver(&count, &vector, fuzz)
    }
#else
    /// Without the fuzzer: `--write-seeds DIR` writes seed blobs; otherwise each file given (a
    /// crash reproducer, say) is run through the parsers.
    @main
    struct MetadataFuzz {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--write-seeds", arguments.count == 2 {
                try writeSeeds(to: arguments[1])
                return
            }
            for path in arguments {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                    exit(2)
                }
                parseEverything(data)
            }
        }

        /// One blob of each kind, as the writers make them.
        static func writeSeeds(to folder: String) throws {
            var exif = ExifValues()
            exif.make = "Canon"
            exif.dateTimeOriginal = "2020:09:18 09:12:30"
            exif.latitude = -22.8
            exif.longitude = 104.9
            exif.altitude = -3
            exif.userComment = "Ghi chú"
            var iptc = IPTCValues()
            iptc.caption = "Lũng Cú"
            iptc.byline = ["Nguyễn Văn An"]
            iptc.keywords = ["Hà Giang"]
            var xmp = XMPValues()
            xmp.description = "Đồng Văn"
            xmp.creator = ["Trần Thị Bình"]
            xmp.subject = ["chợ"]
            let seeds: [String: Data] = [
                "exif": ExifWriter.blob(exif), "exif-be": ExifWriter.blob(exif, bigEndian: true),
                "iptc-photoshop": IPTCWriter.photoshopBlock(iptc), "iptc-bare": Data(IPTCWriter.iim(iptc)),
                "xmp": XMPWriter.packet(xmp),
            ]
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, data) in seeds { try data.write(to: URL(fileURLWithPath: folder + "/" + name)) }
        }
    }
#endif
