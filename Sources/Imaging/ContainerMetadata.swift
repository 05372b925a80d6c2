import Foundation

/// Metadata that libvips 8.14 does not hand over, read from the file's own structure:
/// the standard and extended XMP of JPEG APP1 segments, Photoshop resources split over several
/// APP13 segments, XMP and EXIF chunks of PNG, and the IFD0 tags of TIFF (which carry Make,
/// Model, Artist, Copyright without an EXIF blob).
enum ContainerMetadata {
    /// The most bytes read from a file for its metadata.
    static let readLimit = 8 << 20

    static func prefix(of path: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: readLimit)).map { [UInt8]($0) }
    }

    /// Fills in what libvips left out of a header.
    static func complete(_ header: inout ImageHeader, path: String) {
        switch header.format {
        case .jpeg:
            guard let bytes = jpegMetadataSegments(of: path) else { return }
            let xmp = jpegXMP(bytes)
            if let standard = xmp.standard { header.xmp = standard }
            header.xmpExtension = xmp.extended
            if let photoshop = jpegPhotoshop(bytes) { header.iptc = photoshop }
        case .png:
            guard header.xmp == nil || header.exif == nil, let bytes = prefix(of: path) else { return }
            let chunks = pngMetadata(bytes)
            if header.xmp == nil { header.xmp = chunks.xmp }
            if header.exif == nil { header.exif = chunks.exif.map { Data("Exif\0\0".utf8) + $0 } }
        case .tiff:
            // A TIFF file is itself a TIFF structure, but libexif reads at most 64 KB: its IFD0 and
            // EXIF and GPS sub-IFDs are copied into a small TIFF structure libexif can read.
            guard header.exif == nil, let file = RandomAccessFile(path: path) else { return }
            header.exif = TIFFDirectories.compactExif(from: file)
        default:
            return
        }
    }

    /// A JPEG's bytes up to its first scan: the metadata segments and nothing of the image data,
    /// read segment by segment (at most `readLimit`).
    static func jpegMetadataSegments(of path: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        func need(_ count: Int) -> Bool {
            while bytes.count < count {
                guard bytes.count < readLimit,
                    let more = try? handle.read(upToCount: max(count - bytes.count, 64 * 1024)), !more.isEmpty
                else { return false }
                bytes += more
            }
            return true
        }
        guard need(4), bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var index = 2
        while need(index + 4), bytes[index] == 0xFF {
            let marker = bytes[index + 1]
            if marker == 0xDA || marker == 0xD9 { break }
            if marker == 0xFF {
                index += 1
                continue
            }
            index += 2 + (Int(bytes[index + 2]) << 8 | Int(bytes[index + 3]))
        }
        return Array(bytes.prefix(index + 4))
    }

    /// The standard XMP packet and the assembled extended XMP of a JPEG's APP1 segments
    /// (XMP specification part 3, 1.1.3.1).
    static func jpegXMP(_ bytes: [UInt8]) -> (standard: Data?, extended: Data?) {
        let standardName = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
        let extendedName = Array("http://ns.adobe.com/xmp/extension/\0".utf8)
        var standard: Data?
        var parts: [Int: [UInt8]] = [:]
        var extendedLength = 0
        for (marker, body) in jpegSegments(bytes) where marker == 0xE1 {
            if body.starts(with: standardName), standard == nil {
                standard = Data(body.dropFirst(standardName.count))
            } else if body.starts(with: extendedName), body.count >= extendedName.count + 40 {
                let header = Array(body.dropFirst(extendedName.count + 32).prefix(8))
                let full = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
                let offset = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
                extendedLength = full
                parts[offset] = Array(body.dropFirst(extendedName.count + 40))
            }
        }
        var extended: Data?
        if !parts.isEmpty, extendedLength > 0, extendedLength <= readLimit {
            var assembled = [UInt8](repeating: 0x20, count: extendedLength)
            for (offset, chunk) in parts where offset >= 0 && offset + chunk.count <= extendedLength {
                assembled.replaceSubrange(offset..<(offset + chunk.count), with: chunk)
            }
            extended = Data(assembled)
        }
        return (standard, extended)
    }

    /// A JPEG's segments before its first scan, each marker with its body; a segment whose length
    /// runs past the bytes ends the list.
    static func jpegSegments(_ bytes: [UInt8]) -> [(marker: UInt8, body: ArraySlice<UInt8>)] {
        var segments: [(marker: UInt8, body: ArraySlice<UInt8>)] = []
        var index = 2
        guard bytes.starts(with: [0xFF, 0xD8]) else { return [] }
        while index + 4 <= bytes.count, bytes[index] == 0xFF {
            let marker = bytes[index + 1]
            if marker == 0xDA || marker == 0xD9 { break }
            if marker == 0xFF {
                index += 1
                continue
            }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { break }
            segments.append((marker, bytes[(index + 4)..<(index + 2 + length)]))
            index += 2 + length
        }
        return segments
    }

    /// The Photoshop image resources of a JPEG whose APP13 segments hold them in several parts (a
    /// block over 64 KB, or a writer that adds a segment): the parts joined in order behind one
    /// "Photoshop 3.0" header, as ExifTool reads them. Nil for one segment or none, which libvips
    /// hands over whole.
    static func jpegPhotoshop(_ bytes: [UInt8]) -> Data? {
        let name = Array("Photoshop 3.0\0".utf8)
        let parts = jpegSegments(bytes).filter { $0.marker == 0xED && $0.body.starts(with: name) }.map {
            $0.body.dropFirst(name.count)
        }
        guard parts.count > 1 else { return nil }
        return Data(name + parts.joined())
    }

    /// An uncompressed iTXt "XML:com.adobe.xmp" chunk and an eXIf chunk of a PNG.
    static func pngMetadata(_ bytes: [UInt8]) -> (xmp: Data?, exif: Data?) {
        var xmp: Data?
        var exif: Data?
        var index = 8
        while index + 8 <= bytes.count {
            let length =
                Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
                | Int(bytes[index + 3])
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            guard length >= 0, index + 12 + length <= bytes.count else { break }
            let body = Array(bytes[(index + 8)..<(index + 8 + length)])
            if type == "iTXt", body.starts(with: Array("XML:com.adobe.xmp\0".utf8)) {
                // keyword\0, compression flag, method, language\0, translated keyword\0, text.
                var rest = body.dropFirst(18)
                if rest.first == 0 {
                    rest = rest.dropFirst(2)
                    if let end = rest.firstIndex(of: 0) { rest = rest[(end + 1)...] }
                    if let end = rest.firstIndex(of: 0) { rest = rest[(end + 1)...] }
                    xmp = Data(rest)
                }
            } else if type == "eXIf" {
                exif = Data(body)
            } else if type == "IEND" {
                break
            }
            index += 12 + length
        }
        return (xmp, exif)
    }
}

/// Copies a TIFF file's IFD0 with its EXIF and GPS sub-IFDs (TIFF 6.0, section 2; EXIF 2.32,
/// 4.6.3) into a compact TIFF structure behind "Exif\0\0", dropping large values (strips, tiles,
/// profiles) so that the whole fits in the 64 KB libexif reads.
enum TIFFDirectories {
    struct Entry {
        var tag: UInt16
        var type: UInt16
        var count: UInt32
        var value: [UInt8]
    }

    static let subDirectoryTags: Set<UInt16> = [0x8769, 0x8825]
    static let typeSizes: [UInt16: Int] = [
        1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4,
    ]

    static func compactExif(from bytes: RandomAccessFile) -> Data? {
        guard bytes.count >= 8, let head = bytes.read(0, 4) else { return nil }
        let big: Bool
        switch (head[0], head[1]) {
        case (0x4D, 0x4D): big = true
        case (0x49, 0x49): big = false
        default: return nil
        }
        func read(_ offset: Int, _ width: Int) -> Int? {
            guard let field = bytes.read(offset, width) else { return nil }
            var value = 0
            for index in 0..<width { value = value << 8 | Int(field[big ? index : width - 1 - index]) }
            return value
        }
        func encode(_ value: Int, _ width: Int) -> [UInt8] {
            let little = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
            return big ? little.reversed() : little
        }
        var visited = Set<Int>()
        // Values kept in all: what does not fit the 64 KB libexif reads is not read at all.
        var kept = 0
        func directory(at offset: Int, depth: Int) -> [(Entry, [Entry]?)]? {
            guard depth < 3, visited.insert(offset).inserted, let count = read(offset, 2), count < 1000 else {
                return nil
            }
            var entries: [(Entry, [Entry]?)] = []
            for index in 0..<count {
                let at = offset + 2 + 12 * index
                guard let tag = read(at, 2), let type = read(at + 2, 2), let number = read(at + 4, 4),
                    let size = typeSizes[UInt16(type)]
                else { continue }
                let length = size * number
                guard length <= 16 * 1024, kept + length < 0xFFF0 else { continue }
                let start = length <= 4 ? at + 8 : (read(at + 8, 4) ?? -1)
                guard let value = bytes.read(start, length) else { continue }
                kept += length
                let entry = Entry(tag: UInt16(tag), type: UInt16(type), count: UInt32(number), value: value)
                if subDirectoryTags.contains(entry.tag), let pointer = read(at + 8, 4),
                    let children = directory(at: pointer, depth: depth + 1)
                {
                    entries.append((entry, children.map(\.0)))
                } else if !subDirectoryTags.contains(entry.tag) {
                    entries.append((entry, nil))
                }
            }
            return entries
        }
        guard let first = read(4, 4), let ifd0 = directory(at: first, depth: 0) else { return nil }
        var out: [UInt8] = head + encode(8, 4)
        func emit(_ entries: [(Entry, [Entry]?)]) {
            let start = out.count
            out += encode(entries.count, 2) + [UInt8](repeating: 0, count: 12 * entries.count) + encode(0, 4)
            for (index, (entry, children)) in entries.enumerated() {
                let at = start + 2 + 12 * index
                var field = encode(Int(entry.tag), 2) + encode(Int(entry.type), 2) + encode(Int(entry.count), 4)
                if let children {
                    field += encode(out.count, 4)
                    out.replaceSubrange(at..<(at + 12), with: field)
                    emit(children.map { ($0, nil) })
                    continue
                }
                if entry.value.count <= 4 {
                    field += entry.value + [UInt8](repeating: 0, count: 4 - entry.value.count)
                } else {
                    if out.count % 2 == 1 { out.append(0) }
                    field += encode(out.count, 4)
                    out += entry.value
                }
                out.replaceSubrange(at..<(at + 12), with: field)
            }
        }
        emit(ifd0)
        guard out.count < 0xFFF0 else { return nil }
        return Data("Exif\0\0".utf8) + Data(out)
    }
}

/// A file read at offsets, a few bytes at a time: a TIFF's directories may lie anywhere in a file
/// of any size, which is never read whole.
final class RandomAccessFile {
    private let descriptor: Int32
    /// The file's size in bytes.
    let count: Int

    init?(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        count = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// `length` bytes at `offset`, or nil when they are not all in the file.
    func read(_ offset: Int, _ length: Int) -> [UInt8]? {
        guard offset >= 0, length >= 0, offset + length <= count else { return nil }
        var buffer = [UInt8](repeating: 0, count: length)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(offset)) }
        return got == length ? buffer : nil
    }
}
