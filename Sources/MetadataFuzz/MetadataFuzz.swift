import Foundation
import Metadata

/// Feeds untrusted bytes to every parser, each input to all of them (no dispatch byte, so every
/// seed and every mutation reaches every parser): the metadata parsers (IPTC-IIM, XMP and EXIF
/// through libexif), then the HTTP inputs the gallery parses itself.
func parseEverything(_ data: Data) {
    _ = IPTCReader.read(data)
    _ = try? XMPReader.read(data)
    _ = ExifReader.read(data)
    HTTPInputs.parse(data)
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

    /// The executable's entry point, under the name SwiftPM gives it: `--write-seeds DIR` writes
    /// the seeds (so `make fuzz` needs this one build); anything else goes to libFuzzer.
    @_cdecl("MetadataFuzz_main")
    public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        let arguments = (0..<Int(argc)).dropFirst().compactMap { argv?[$0].map { String(cString: $0) } }
        if arguments.first == "--write-seeds", arguments.count == 2 {
            do {
                try Seeds.write(to: arguments[1])
                return 0
            } catch {
                FileHandle.standardError.write(Data("cannot write the seeds: \(error)\n".utf8))
                return 1
            }
        }
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
                try Seeds.write(to: arguments[1])
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
    }
#endif
