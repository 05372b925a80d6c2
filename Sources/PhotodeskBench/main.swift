import Catalog
import CatalogPostgres
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Metadata
import ObjectStorage
import PhotoFactory
import PhotoModel
import SearchMemory

// `make bench`: Photodesk side by side with the peers a newsroom would use instead, on the same
// machine and the same files. Every input is generated here. Usage:
//   PhotodeskBench PHOTODESK_BINARY WORK_FOLDER RESULTS_FILE

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: PhotodeskBench PHOTODESK_BINARY WORK_FOLDER RESULTS_FILE\n".utf8))
    exit(2)
}
let photodesk = URL(fileURLWithPath: arguments[1]).standardizedFileURL.path
let work = URL(fileURLWithPath: arguments[2]).standardizedFileURL.path
let resultsFile = arguments[3]
let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 5
let jobs = 2
let benchStart = Date()
/// BENCH_ONLY=cold,scale,rescan,search,serve,pgnode,postgres,twins,growth,storage runs some sections (the others keep their inputs).
let only = Set(
    (ProcessInfo.processInfo.environment["BENCH_ONLY"] ?? "cold,scale,rescan,search,serve,pgnode,postgres,twins,growth")
        .split(
            separator: ","
        )
        .map(String.init))
try VipsRuntime.start()

func log(_ text: String) {
    FileHandle.standardError.write(
        Data("[\(String(format: "%4.0f", Date().timeIntervalSince(benchStart))) s] \(text)\n".utf8))
}

func reset(_ folder: String) throws {
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
}

/// Measures `body` after one warm-up, `runs` times. `body` is told whether it is the warm-up,
/// which may do a small part of the work (it warms binaries and caches, not the figures).
func repeated<T>(_ label: String, _ body: (_ warmUp: Bool) throws -> T) rethrows -> [T] {
    log("\(label): warm-up and \(runs) runs")
    _ = try body(true)
    return try (0..<runs).map { _ in try body(false) }
}

func repeated<T>(_ label: String, _ body: () throws -> T) rethrows -> [T] {
    try repeated(label) { (_: Bool) in try body() }
}

// MARK: Inputs

/// Camera-like photos: noise over the quadrant picture, EXIF as a camera writes it. One noise
/// image is made per set and offset per file, so that each file's bytes differ.
func makePhotos(count: Int, width: Int, height: Int, into folder: String) throws -> [String] {
    let paths = (0..<count).map { folder + String(format: "/DSC_%05d.jpg", $0) }
    if paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) { return paths }
    log("generating \(count) photos of \(width)x\(height) in \(folder)")
    try reset(folder)
    var photo = SyntheticPhoto(width: width, height: height)
    photo.noise = 22
    var exif = ExifValues()
    exif.make = "Canon"
    exif.model = "Canon EOS 5D Mark IV"
    exif.lens = "EF24-70mm f/2.8L II USM"
    exif.exposureTime = "1/250"
    exif.fNumber = 5.6
    exif.iso = 400
    exif.focalLength = 35
    exif.latitude = 22.8233
    exif.longitude = 104.9836
    let camera = exif
    let picture = photo
    DispatchQueue.concurrentPerform(iterations: jobs) { worker in
        // Each worker makes its own noise image: libvips images are not shared across threads here.
        // It is computed once and kept in memory; each file adds its offset to those pixels.
        guard let base = try? picture.uprightImage().inMemory() else { return }
        let exif = camera
        for index in stride(from: worker, to: count, by: jobs) {
            var values = exif
            values.dateTimeOriginal = String(
                format: "2020:09:18 %02d:%02d:%02d", 8 + index / 3600 % 10, index / 60 % 60, index % 60)
            values.offsetTimeOriginal = "+07:00"
            values.orientation = 1
            guard
                let offset = try? VipsImage.fromPixels(
                    [UInt8(index % 7), UInt8(index / 7 % 7), UInt8(index / 49 % 7)], width: 1, height: 1, bands: 3),
                let image = try? base.adding(offset).castToUInt8()
            else { continue }
            image.setBlob("exif-data", ExifWriter.blob(values))
            try? image.write(to: paths[index], as: .jpeg, quality: 90, keepMetadata: true)
        }
    }
    return paths
}

var rows: [Row] = []

func throughput(_ measures: [ProcessRunner.Measure], files: Int) -> Figure {
    Figure(values: measures.map { Double(files) / $0.seconds }, unit: "files/s", higherIsBetter: true)
}
func cpuPerFile(_ measures: [ProcessRunner.Measure], files: Int) -> Figure {
    Figure(values: measures.map { $0.cpuSeconds / Double(files) }, unit: "CPU s/file", higherIsBetter: false)
}
func peak(_ measures: [ProcessRunner.Measure]) -> Figure {
    Figure(values: measures.map(\.peakMB), unit: "MB", higherIsBetter: false)
}

// MARK: Inputs, all made before anything is measured

let scaleFolder = work + "/inputs/scale-640x427"
let smallFolder = work + "/inputs/small-10k"
let rescanLibrary = work + "/libraries/rescan"
let rescanPipeline = work + "/inputs/rescan-pipeline.yml"
let searchLibrary = Library(path: work + "/libraries/search-100k")
let inputsStarted = Date()
// The 100,000-caption catalog is one SQLite writer, one core: it is made beside the other inputs
// (the photos are made two at a time), and waited for before the first measurement.
let searchBuilt = DispatchSemaphore(value: 0)
let searchFailure = FailureBox()
if (only.contains("search") || only.contains("serve"))
    && !FileManager.default.fileExists(atPath: searchLibrary.catalogPath)
{
    log("building a catalog of 100,000 captions, beside the other inputs")
    let library = searchLibrary
    Task.detached {
        do { try await SearchCorpus.build(at: library) } catch { searchFailure.error = error }
        searchBuilt.signal()
    }
} else {
    searchBuilt.signal()
}
let coldFiles = try makePhotos(count: 50, width: 6000, height: 4000, into: work + "/inputs/cold-24mp")
if only.contains("scale") {
    _ = try makePhotos(count: 1000, width: 640, height: 427, into: scaleFolder)
}
if only.contains("rescan") {
    _ = try makePhotos(count: 10_000, width: 64, height: 48, into: smallFolder)
    try """
    name: rescan-bench
    renditions:
      - name: thumb
        width: 64
        height: 64
        format: webp
        quality: 80
    """.write(toFile: rescanPipeline, atomically: true, encoding: .utf8)
    if !FileManager.default.fileExists(atPath: rescanLibrary + "/catalog.sqlite")
        || ProcessInfo.processInfo.environment["BENCH_FRESH"] != nil
    {
        // The library's content does not matter to a re-scan, which reads no file: one small
        // preset keeps this setup short.
        log("first ingest of 10,000 small files")
        try reset(rescanLibrary)
        _ = try ProcessRunner.run([
            [
                photodesk, "ingest", "--library", rescanLibrary, "--jobs", "\(jobs)", "--pipeline", rescanPipeline,
                smallFolder,
            ]
        ])
    }
}
searchBuilt.wait()
if let error = searchFailure.error { throw error }
log("inputs ready in \(String(format: "%.0f", Date().timeIntervalSince(inputsStarted))) s")

// MARK: 1. Cold ingest of 24-megapixel JPEGs

let coldLibrary = work + "/libraries/cold"
if only.contains("cold") {
    let presets: [(name: String, box: Int, format: String, quality: Int)] = [
        ("thumb", 320, "webp", 80), ("medium", 1024, "webp", 82), ("large", 2048, "jpg", 85),
    ]

    let ours = try repeated("Photodesk cold ingest of 50 x 24 MP") { (warmUp: Bool) -> ProcessRunner.Measure in
        try reset(coldLibrary)
        let inputs = warmUp ? Array(coldFiles.prefix(2)) : [work + "/inputs/cold-24mp"]
        return try ProcessRunner.run([[photodesk, "ingest", "--library", coldLibrary, "--jobs", "\(jobs)"] + inputs])
    }
    let thumbsOut = work + "/peer-output"
    let vips = try repeated("vipsthumbnail, one process per file and size, \(jobs) at a time") {
        (warmUp: Bool) -> ProcessRunner.Measure in
        try reset(thumbsOut)
        let commands = coldFiles.prefix(warmUp ? 2 : coldFiles.count).flatMap { file in
            presets.map { preset in
                [
                    // No --export-profile: these files carry no ICC profile, and Photodesk converts
                    // colour only for files that do (a profile-less file is taken as sRGB by both).
                    "vipsthumbnail", file, "--size", "\(preset.box)x\(preset.box)",
                    "-o", "\(thumbsOut)/%s-\(preset.name).\(preset.format)[Q=\(preset.quality),strip]",
                ]
            }
        }
        return try ProcessRunner.run(commands, parallel: jobs)
    }
    // The best a shell script can do with vipsthumbnail: decode the original once, to the largest size,
    // and make the smaller sizes from that output (a 2048 px JPEG decodes in a fraction of the time).
    let vipsOnce = try repeated("vipsthumbnail decoding once per file (2048 from the original, 1024 and 320 from it)") {
        (warmUp: Bool) -> ProcessRunner.Measure in
        try reset(thumbsOut)
        let commands = coldFiles.prefix(warmUp ? 2 : coldFiles.count).map { file -> [String] in
            let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            let large = "\(thumbsOut)/\(name)-large.jpg"
            let script = [
                "vipsthumbnail \"$1\" --size 2048x2048 -o \"$2[Q=85,strip]\"",
                "vipsthumbnail \"$2\" --size 1024x1024 -o \"$3[Q=82,strip]\"",
                "vipsthumbnail \"$2\" --size 320x320 -o \"$4[Q=80,strip]\"",
            ].joined(separator: " && ")
            return [
                "/bin/sh", "-c", script, "sh", file, large, "\(thumbsOut)/\(name)-medium.webp",
                "\(thumbsOut)/\(name)-thumb.webp",
            ]
        }
        let measure = try ProcessRunner.run(commands, parallel: jobs)
        let made = (try? FileManager.default.contentsOfDirectory(atPath: thumbsOut).count) ?? 0
        guard made == commands.count * 3 else {
            throw ProcessRunner.Failure(description: "decode-once peer made \(made) files, not \(commands.count * 3)")
        }
        return measure
    }
    let magick = try repeated("ImageMagick convert -thumbnail, one process per file and size, \(jobs) at a time") {
        (warmUp: Bool) -> ProcessRunner.Measure in
        try reset(thumbsOut)
        let commands = coldFiles.prefix(warmUp ? 2 : coldFiles.count).flatMap { file in
            presets.map { preset in
                // jpeg:size lets libjpeg shrink on load, as ImageMagick's guide advises for thumbnails; its
                // usual twice-the-box hint exhausts Debian's resource policy at 2048 px, so the hint is the box.
                [
                    "/usr/bin/convert", "-limit", "thread", "1", "-define", "jpeg:size=\(preset.box)x\(preset.box)",
                    file,
                    "-thumbnail", "\(preset.box)x\(preset.box)",
                    "-quality", "\(preset.quality)",
                    "\(thumbsOut)/\((file as NSString).lastPathComponent)-\(preset.name).\(preset.format)",
                ]
            }
        }
        return try ProcessRunner.run(commands, parallel: jobs)
    }
    rows.append(
        Row(
            work: "Cold ingest, 50 x 24 MP JPEG, 3 sizes: throughput", photodesk: throughput(ours, files: 50),
            peer: "vipsthumbnail", peerFigure: throughput(vips, files: 50)))
    rows.append(
        Row(
            work: "Cold ingest, 50 x 24 MP JPEG, 3 sizes: throughput", photodesk: throughput(ours, files: 50),
            peer: "vipsthumbnail, decoding once", peerFigure: throughput(vipsOnce, files: 50),
            note: "2048 px from the original, then 1024 and 320 px from that JPEG; one shell per file"))
    rows.append(
        Row(
            work: "Cold ingest, 50 x 24 MP JPEG, 3 sizes: throughput", photodesk: throughput(ours, files: 50),
            peer: "ImageMagick convert", peerFigure: throughput(magick, files: 50)))
    rows.append(
        Row(
            work: "Cold ingest: CPU time per file", photodesk: cpuPerFile(ours, files: 50), peer: "vipsthumbnail",
            peerFigure: cpuPerFile(vips, files: 50)))
    rows.append(
        Row(
            work: "Cold ingest: CPU time per file", photodesk: cpuPerFile(ours, files: 50),
            peer: "vipsthumbnail, decoding once", peerFigure: cpuPerFile(vipsOnce, files: 50)))
    rows.append(
        Row(
            work: "Cold ingest: CPU time per file", photodesk: cpuPerFile(ours, files: 50), peer: "ImageMagick convert",
            peerFigure: cpuPerFile(magick, files: 50)))
    rows.append(
        Row(
            work: "Cold ingest: peak memory of one process", photodesk: peak(ours), peer: "vipsthumbnail",
            peerFigure: peak(vips)))
    rows.append(
        Row(
            work: "Cold ingest: peak memory of one process", photodesk: peak(ours), peer: "ImageMagick convert",
            peerFigure: peak(magick)))
}

// MARK: 2. Ingest at scale

if only.contains("scale") {
    // One run, its peak memory read as it goes: after the first 50 files and after the last.
    log("Photodesk ingest of 1,000 files, peak memory read as it goes")
    let scaleLibrary = work + "/libraries/scale"
    try reset(scaleLibrary)
    let growth = try ProcessRunner.memoryGrowth(
        [photodesk, "ingest", "--library", scaleLibrary, "--jobs", "\(jobs)", "--json", scaleFolder], early: 50)
    let note = "1,000 files of 640x427 rather than 24 MP, to keep the whole run under 15 minutes; one run"
    rows.append(
        Row(
            work: "Ingest at scale: peak memory after \(growth.files) files vs after the first 50 (640x427 each)",
            photodesk: Figure(values: [growth.finalMB], unit: "MB", higherIsBetter: false),
            peer: "the same run, after 50 files",
            peerFigure: Figure(values: [growth.earlyMB], unit: "MB", higherIsBetter: false),
            note: note))
    rows.append(
        Row(
            work: "Ingest at scale: throughput, \(growth.files) files (640x427 each)",
            photodesk: Figure(values: [Double(growth.files) / growth.seconds], unit: "files/s", higherIsBetter: true),
            peer: "–", peerFigure: nil, note: "one run"))
}

// MARK: 3. Re-scan of an unchanged library

if only.contains("rescan") {
    let rescan = try repeated("Photodesk re-scan of 10,000 unchanged files") {
        try ProcessRunner.run([
            [photodesk, "ingest", "--library", rescanLibrary, "--pipeline", rescanPipeline, smallFolder]
        ])
    }
    let find = try repeated("find -printf size, mtime, inode of 10,000 files") {
        try ProcessRunner.run([["find", smallFolder, "-type", "f", "-printf", "%s %T@ %i\\n"]])
    }
    rows.append(
        Row(
            work: "Re-scan, 10,000 unchanged files", photodesk: throughput(rescan, files: 10_000),
            peer: "find -printf (the floor)", peerFigure: throughput(find, files: 10_000),
            note: "the whole process: start, scan, compare with the catalog, report"))
}

// MARK: 4. Search over 100,000 captions

/// Milliseconds each of `SearchCorpus.queries` took, a reader's search of 20 results, one after
/// another: one list per run, after a warm-up run.
func searchLatencies(_ desk: Desk) async throws -> [[Double]] {
    var latencies: [[Double]] = []
    for run in 0...runs {
        var times: [Double] = []
        for query in SearchCorpus.queries {
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try await desk.search(SearchQuery(text: query), limit: 20, after: nil, audience: desk.readers)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        if run > 0 { latencies.append(times) }
    }
    return latencies
}

if only.contains("search") {
    let searchDesk = Desk(store: try SQLiteCatalog(library: searchLibrary), library: searchLibrary)
    log("200 search queries over 100,000 captions: warm-up and \(runs) runs")
    let latencies = try await searchLatencies(searchDesk)
    rows.append(
        Row(
            work: "Search, 100,000 captions: median latency of 200 queries",
            photodesk: Figure(values: latencies.map { percentile($0, 50) }, unit: "ms", higherIsBetter: false),
            peer: "–",
            peerFigure: nil, note: "in process, 20 results a page"))
    rows.append(
        Row(
            work: "Search, 100,000 captions: 99th percentile latency",
            photodesk: Figure(values: latencies.map { percentile($0, 99) }, unit: "ms", higherIsBetter: false),
            peer: "–",
            peerFigure: nil, note: "target: under 10 ms; FTS5, as a command searches"))
    // As `serve` searches: from the copy of the index in memory, loaded once.
    let memoryCatalog = try SQLiteCatalog(library: searchLibrary)
    let memory = MemorySearch(feed: memoryCatalog, fallback: memoryCatalog, signal: memoryCatalog)
    let memoryDesk = Desk(store: memoryCatalog, library: searchLibrary, search: memory)
    let residentBefore = ProcessRunner.residentMegabytes(anonymousOnly: true)
    let copyStarted = DispatchTime.now().uptimeNanoseconds
    try await memory.catchUp()
    let copyMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - copyStarted) / 1e6
    let copy = memory.status
    let megabytes = ProcessRunner.residentMegabytes(anonymousOnly: true) - residentBefore
    log("the search index copied into memory in \(Int(copyMilliseconds)) ms, about \(Int(megabytes)) MB")
    let memoryLatencies = try await searchLatencies(memoryDesk)
    let memoryNote =
        "in process, as serve searches: from the copy of the search index in memory (\(copy.documents) documents, "
        + "\(copy.tokens) tokens, about \(Int(megabytes.rounded())) MB of heap, loaded in \(Int(copyMilliseconds.rounded())) ms)"
    rows.append(
        Row(
            work: "Search from memory, 100,000 captions: median latency of 200 queries",
            photodesk: Figure(values: memoryLatencies.map { percentile($0, 50) }, unit: "ms", higherIsBetter: false),
            peer: "–", peerFigure: nil, note: memoryNote))
    rows.append(
        Row(
            work: "Search from memory, 100,000 captions: 99th percentile latency",
            photodesk: Figure(values: memoryLatencies.map { percentile($0, 99) }, unit: "ms", higherIsBetter: false),
            peer: "–", peerFigure: nil,
            note:
                "the same answers as FTS5 (MemorySearchTests holds them to it); \(memory.status.passedOn) of \(memory.status.answered + memory.status.passedOn) searches passed on to FTS5"
        ))
}

// MARK: 4b. Twins at 1,000,000 photos

if only.contains("twins") {
    let count = Int(ProcessInfo.processInfo.environment["BENCH_TWINS"] ?? "") ?? 1_000_000
    let twinPhotos = TwinBench.photos(count: count)
    let twinLibrary = Library(path: work + "/libraries/twins")
    log("a SQLite catalog of \(count) photos with their looks")
    let twinCatalog = try await TwinBench.sqlite(twinPhotos, at: twinLibrary)
    log("\(TwinBench.queries) twin lookups on SQLite: warm-up and \(runs) runs")
    let (sqliteTimes, sqliteComplete) = try await TwinBench.measure(
        Desk(store: twinCatalog, library: twinLibrary), twinPhotos, runs: runs)
    try twinCatalog.close()
    log("a PostgreSQL catalog of \(count) photos with their looks")
    let twinURL = try await TwinBench.postgres(twinPhotos)
    let twinPostgres = try await PostgresCatalog.open(url: twinURL, logger: BenchPostgres.logger)
    log("\(TwinBench.queries) twin lookups on PostgreSQL: warm-up and \(runs) runs")
    let (postgresTimes, postgresComplete) = try await TwinBench.measure(
        Desk(store: twinPostgres, library: twinLibrary), twinPhotos, runs: runs)
    await twinPostgres.shutdown()
    try await BenchPostgres.drop("bench_twins")
    for (backend, times, complete) in [
        ("SQLite", sqliteTimes, sqliteComplete), ("PostgreSQL", postgresTimes, postgresComplete),
    ] {
        for p in [50.0, 99.0] {
            rows.append(
                Row(
                    work:
                        "Twins at \(count) photos, \(backend): \(p == 50 ? "median" : "99th percentile") of \(TwinBench.queries) lookups",
                    photodesk: Figure(values: times.map { percentile($0, p) }, unit: "ms", higherIsBetter: false),
                    peer: "–", peerFigure: nil,
                    note:
                        "target: at most 100 ms; random hashes, four planted twins 1 to 4 bits from each query, \(complete ? "all found" : "SOME NOT FOUND")"
                ))
        }
    }
}

// MARK: 5. Serving under wrk

struct Load {
    var requestsPerSecond: Double
    var p50: Double
    var p99: Double
    var timeouts = 0
}

func wrk(_ url: String, seconds: Int, script: String? = nil, connections: Int = 64) throws -> Load {
    let text = try ProcessRunner.output(
        ["wrk", "-t\(min(2, connections))", "-c\(connections)", "-d\(seconds)s", "--latency"]
            + (script.map { ["-s", $0] } ?? []) + [url])
    func milliseconds(_ value: Substring) -> Double {
        let number = Double(value.prefix { $0.isNumber || $0 == "." }) ?? .nan
        if value.hasSuffix("us") { return number / 1000 }
        if value.hasSuffix("ms") { return number }
        if value.hasSuffix("s") { return number * 1000 }
        return number
    }
    var load = Load(requestsPerSecond: .nan, p50: .nan, p99: .nan)
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        if parts.first == "Requests/sec:", parts.count > 1 { load.requestsPerSecond = Double(parts[1]) ?? .nan }
        if parts.first == "50%", parts.count > 1 { load.p50 = milliseconds(parts[1]) }
        if parts.first == "99%", parts.count > 1 { load.p99 = milliseconds(parts[1]) }
        if line.contains("Non-2xx") { throw ProcessRunner.Failure(description: "\(url): \(line)") }
        if line.contains("Socket errors"), let timeout = line.split(separator: ",").last?.split(separator: " ").last {
            load.timeouts += Int(timeout) ?? 0
        }
    }
    return load
}

/// Loads a URL with wrk for `loadSeconds` per run (a one-second warm-up first), beside a peer URL
/// under the same load, and adds the rows: requests per second, p50 and p99.
let loadSeconds = 3
@MainActor func loadRows(
    _ label: String, _ url: String, script: String? = nil, peer: String, peerURL: String?, note extra: String = ""
) throws {
    // The warm-up is one second of the same load. With a peer, the runs alternate (ours, the
    // peer's, ours, ...), so a slow spell of the machine weighs on both alike.
    log("wrk \(label)" + (peerURL.map { _ in " and \(peer), alternating" } ?? "") + ": warm-up and \(runs) runs")
    _ = try wrk(url, seconds: 1, script: script)
    if let peerURL { _ = try wrk(peerURL, seconds: 1, script: script) }
    var ourLoads: [Load] = []
    var peerRuns: [Load] = []
    for _ in 0..<runs {
        ourLoads.append(try wrk(url, seconds: loadSeconds, script: script))
        if let peerURL { peerRuns.append(try wrk(peerURL, seconds: loadSeconds, script: script)) }
    }
    let peerLoads = peerURL == nil ? nil : peerRuns
    let timeouts = ourLoads.map(\.timeouts).reduce(0, +)
    let note =
        "wrk -t2 -c64, keep-alive; \(runs) runs of \(loadSeconds) s (\(runs * loadSeconds) s of load)"
        + (timeouts > 0 ? "; \(timeouts) requests timed out (wrk gives up after 2 s)" : "; no request over 2 s")
        + (extra.isEmpty ? "" : "; " + extra)
    rows.append(
        Row(
            work: "\(label): requests per second",
            photodesk: Figure(values: ourLoads.map(\.requestsPerSecond), unit: "req/s", higherIsBetter: true),
            peer: peerURL == nil ? "–" : peer,
            peerFigure: peerLoads.map {
                Figure(values: $0.map(\.requestsPerSecond), unit: "req/s", higherIsBetter: true)
            }, note: note))
    rows.append(
        Row(
            work: "\(label): latency p50",
            photodesk: Figure(values: ourLoads.map(\.p50), unit: "ms", higherIsBetter: false),
            peer: peerURL == nil ? "–" : peer,
            peerFigure: peerLoads.map { Figure(values: $0.map(\.p50), unit: "ms", higherIsBetter: false) }))
    rows.append(
        Row(
            work: "\(label): latency p99",
            photodesk: Figure(values: ourLoads.map(\.p99), unit: "ms", higherIsBetter: false),
            peer: peerURL == nil ? "–" : peer,
            peerFigure: peerLoads.map { Figure(values: $0.map(\.p99), unit: "ms", higherIsBetter: false) }))
}

if only.contains("serve") || only.contains("pgnode") {
    // The served library is the cold ingest's (made here when that section did not run).
    if !FileManager.default.fileExists(atPath: coldLibrary + "/catalog.sqlite") {
        log("ingesting the 50 photos the serving rows serve")
        _ = try ProcessRunner.run([
            [photodesk, "ingest", "--library", coldLibrary, "--jobs", "\(jobs)", work + "/inputs/cold-24mp"]
        ])
    }
    let articleFile = work + "/inputs/cold-24mp-article.md"
    try """
    ---
    slug: bench-visit
    headline: Bộ trưởng thăm tỉnh biên giới Hà Giang
    dateline: Hà Giang
    published: 2020-09-21
    byline: Nguyễn Văn An
    ---
    Đoàn công tác đã làm việc với lãnh đạo tỉnh Hà Giang và thăm hỏi người dân các xã biên giới.

    \((0..<5).map { "![Ảnh \($0 + 1) của chuyến thăm.](cold-24mp/DSC_\(String(format: "%05d", $0)).jpg)" }.joined(separator: "\n\n"))
    """.write(toFile: articleFile, atomically: true, encoding: .utf8)
    _ = try ProcessRunner.run([[photodesk, "article", "import", "--library", coldLibrary, articleFile]])
    // The lead photo of the published article: readers may see it (a photo no published article
    // uses stays private, and answers 404 to anonymous requests).
    let coldDesk = Desk(
        store: try SQLiteCatalog(library: Library(path: coldLibrary)), library: Library(path: coldLibrary))
    let lead = try await coldDesk.photo(coldFiles[0])
    let thumbId = String(lead.sha256.prefix(16))
    let thumbnail =
        "renditions/"
        + ((FileManager.default.enumerator(atPath: coldLibrary + "/renditions")?.allObjects as? [String] ?? [])
            .sorted().first { $0.hasSuffix("-thumb.webp") && ($0 as NSString).lastPathComponent.hasPrefix(thumbId) }
            ?? "")
    // Photodesk serves with its default logging: an access log line per request, on standard error.
    let environment = [
        "PHOTODESK_HOME": ProcessInfo.processInfo.environment["PHOTODESK_HOME"]
            ?? FileManager.default.currentDirectoryPath,
        "PHOTODESK_LOG": "info",
    ]
    let gallery = try Server(
        [photodesk, "serve", "--library", coldLibrary, "--port", "18080"], environment: environment,
        log: work + "/serve.log")
    defer { gallery.stop() }
    let ourThumb = "http://127.0.0.1:18080/r/\(thumbId)/thumb.webp"
    let articlePage = "http://127.0.0.1:18080/articles/bench-visit"
    for url in [ourThumb, articlePage] { try Server.waitUntilUp(url) }
    if only.contains("serve") {
        let searchServer = try Server(
            [photodesk, "serve", "--library", searchLibrary.root, "--port", "18082"], environment: environment,
            log: work + "/serve-search.log")
        // The same library searched by FTS5 alone: the copy in memory stays only while it is at
        // least twice as fast on the uncached row.
        let ftsServer = try Server(
            [photodesk, "serve", "--library", searchLibrary.root, "--port", "18084", "--no-memory-search"],
            environment: environment, log: work + "/serve-search-fts.log")
        defer { ftsServer.stop() }
        let nginxFolder = work + "/nginx"
        try reset(nginxFolder + "/logs")
        // The library folder is its owner's alone (0700) and nginx's workers run as another user:
        // nginx serves a copy of the same file from a folder of its own.
        try reset(nginxFolder + "/site")
        try FileManager.default.createDirectory(
            atPath: nginxFolder + "/site/" + (thumbnail as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: coldLibrary + "/" + thumbnail, toPath: nginxFolder + "/site/" + thumbnail)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o644], ofItemAtPath: nginxFolder + "/site/" + thumbnail)
        try """
        worker_processes 2;
        daemon off;
        pid \(nginxFolder)/nginx.pid;
        error_log \(nginxFolder)/logs/error.log;
        events { worker_connections 1024; }
        http {
            access_log \(nginxFolder)/logs/access.log combined buffer=64k flush=1s;
            sendfile on;
            tcp_nopush on;
            keepalive_requests 1000000;
            types { image/webp webp; image/jpeg jpg; }
            server {
                listen 127.0.0.1:18081;
                root \(nginxFolder)/site;
                location /renditions/ { etag on; add_header Cache-Control "public, max-age=31536000, immutable"; }
                location /articles/ { default_type "text/html; charset=utf-8"; }
            }
        }
        """.write(toFile: nginxFolder + "/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = try Server(
            ["nginx", "-p", nginxFolder, "-c", nginxFolder + "/nginx.conf"], log: work + "/nginx.log")
        defer {
            searchServer.stop()
            nginx.stop()
        }
        let nginxThumb = "http://127.0.0.1:18081/\(thumbnail)"
        let searchAPI = "http://127.0.0.1:18082/api/v1/search?q=dong+van"
        let ftsSearchAPI = "http://127.0.0.1:18084/api/v1/search?q=dong+van"
        for url in [nginxThumb, searchAPI, ftsSearchAPI] { try Server.waitUntilUp(url) }
        // nginx serves the article page Photodesk made, saved as a file: the floor for a page.
        try FileManager.default.createDirectory(
            atPath: nginxFolder + "/site/articles", withIntermediateDirectories: true)
        _ = try ProcessRunner.run([["curl", "-sf", "-o", nginxFolder + "/site/articles/bench-visit", articlePage]])
        let nginxArticle = "http://127.0.0.1:18081/articles/bench-visit"
        try Server.waitUntilUp(nginxArticle)
        // The search API under many different queries: each wrk thread numbers its requests under a
        // name of its own, new at every run of wrk (the time and a random number), so no URL repeats,
        // within a run or across the warm-up and the runs, and none is answered from the reader
        // cache; 200 queries as in the in-process rows.
        let searchScript = work + "/search.lua"
        let searchQueries = (0..<200).map { index -> String in
            let place = SearchText.fold(SearchCorpus.places[index % SearchCorpus.places.count])
            let query: String
            switch index % 4 {
            case 0: query = place
            case 1: query = String(place.prefix(4))
            case 2:
                let subject = SearchCorpus.subjects[index % SearchCorpus.subjects.count]
                query = "\(place) \(SearchText.fold(subject).split(separator: " ").first ?? "")"
            default: query = "\"\(place)"
            }
            return query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        }
        try """
        local queries = { \(searchQueries.map { "\"\($0)\"" }.joined(separator: ", ")) }
        local counter = 0
        function setup(thread)
            counter = counter + 1
            thread:set("id", counter .. "r" .. os.time() .. "x" .. math.random(1000000000))
        end
        local n = 0
        function request()
            n = n + 1
            return wrk.format("GET", "/api/v1/search?q=" .. queries[(n % #queries) + 1] .. "&bench=" .. id .. "-" .. n)
        end
        """.write(toFile: searchScript, atomically: true, encoding: .utf8)

        try loadRows(
            "Serving a thumbnail rendition", ourThumb, peer: "nginx, same file", peerURL: nginxThumb,
            note: "access logs on for both")
        // The change signal's price: the same node asking SQLite's data_version on every answer,
        // without reading the WAL-index header first (PHOTODESK_WAL_INDEX=off), against the node
        // as shipped. The shortcut stays only while this costs more than 5% (docs/ARCHITECTURE.md).
        var plainEnvironment = environment
        plainEnvironment["PHOTODESK_WAL_INDEX"] = "off"
        let plainNode = try Server(
            [photodesk, "serve", "--library", coldLibrary, "--port", "18083"], environment: plainEnvironment,
            log: work + "/serve-data-version.log")
        defer { plainNode.stop() }
        let plainThumb = "http://127.0.0.1:18083/r/\(thumbId)/thumb.webp"
        try Server.waitUntilUp(plainThumb)
        try loadRows(
            "Serving a thumbnail rendition, data_version asked for every answer", plainThumb,
            peer: "the same, the WAL-index header read first (as shipped)", peerURL: ourThumb,
            note: "PHOTODESK_WAL_INDEX=off against the default; below 0.95x keeps the header shortcut")
        plainNode.stop()
        try loadRows(
            "Serving the article page", articlePage, peer: "nginx, the same page saved as a file",
            peerURL: nginxArticle,
            note: "access logs on for both; target 5,000 req/s, p99 under 50 ms")
        // The reader cache's own counts (/metrics) show whether any of these was answered from it.
        func readerCacheHits() throws -> Int {
            let line = try ProcessRunner.output(["curl", "-sf", "http://127.0.0.1:18082/metrics"]).split(
                separator: "\n"
            )
            .first {
                $0.hasPrefix("photodesk_reader_cache_requests_total{result=\"hit\"}")
            }
            guard let count = line?.split(separator: " ").last.flatMap({ Int($0) }) else {
                throw ProcessRunner.Failure(description: "/metrics has no reader cache count")
            }
            return count
        }
        let hitsBefore = try readerCacheHits()
        try loadRows(
            "Search API over 100,000 captions, 200 queries, no URL twice", searchAPI, script: searchScript,
            peer: "the same, serve --no-memory-search (FTS5)", peerURL: ftsSearchAPI,
            note: "target 2,000 req/s, p99 under 100 ms; the copy in memory stays while this is at least 2x")
        let hitsDuring = try readerCacheHits() - hitsBefore
        if let index = rows.lastIndex(where: { $0.work.hasSuffix("no URL twice: requests per second") }) {
            rows[index].note +=
                hitsDuring == 0
                ? "; none answered from the reader cache (its hit count in /metrics did not move)"
                : "; **\(hitsDuring) answered from the reader cache** (its hit count in /metrics)"
        }
        try loadRows(
            "Search API over 100,000 captions, one query", searchAPI, peer: "–", peerURL: nil,
            note: "answered from the reader cache after the first request")
        // The same uncached searches while a caption is edited every second by a command beside
        // the server: the copy of the index in memory takes each change as it comes.
        let searchDesk = Desk(store: try SQLiteCatalog(library: searchLibrary), library: searchLibrary)
        let edited = try await searchDesk.photos(limit: 200, after: nil, audience: .editors).photos.map(\.shortId)
        let editing = EditStream(photodesk: photodesk, library: searchLibrary.root, ids: edited)
        editing.start()
        try loadRows(
            "Search API over 100,000 captions, 200 queries, no URL twice, a caption edited every second", searchAPI,
            script: searchScript, peer: "–", peerURL: nil,
            note: "as the row above, while `photodesk caption set` changes a caption beside the server once a second")
        let edits = editing.stop()
        if let index = rows.lastIndex(where: { $0.work.hasSuffix("edited every second: requests per second") }) {
            rows[index].note += "; \(edits) edits during the runs"
        }
    }
    if only.contains("pgnode") {
        // The same library served by a node whose catalog is PostgreSQL (a copy of the SQLite one),
        // beside the SQLite node: the same binary, files and load.
        if BenchPostgres.adminURL == nil {
            log(
                "PostgreSQL node rows skipped: \(BenchPostgres.variable) is not set (make bench runs this under scripts/with-postgres)"
            )
        } else {
            let nodeURL = try await BenchPostgres.freshDatabase("bench_node")
            _ = try ProcessRunner.run([[photodesk, "catalog", "copy", "--library", coldLibrary, "--to", nodeURL]])
            let node = try Server(
                [photodesk, "serve", "--library", coldLibrary, "--catalog", nodeURL, "--port", "18083"],
                environment: environment, log: work + "/serve-postgres.log")
            defer { node.stop() }
            let nodeThumb = "http://127.0.0.1:18083/r/\(thumbId)/thumb.webp"
            let nodeArticle = "http://127.0.0.1:18083/articles/bench-visit"
            for url in [nodeThumb, nodeArticle] { try Server.waitUntilUp(url) }
            for (label, url, peerURL) in [
                ("a thumbnail rendition", nodeThumb, ourThumb), ("the article page", nodeArticle, articlePage),
            ] {
                try loadRows(
                    "Serving \(label) on a PostgreSQL node", url, peer: "the same on a SQLite node", peerURL: peerURL,
                    note:
                        "one library, one binary; the node's catalog a copy of the SQLite one in PostgreSQL 15 (scripts/with-postgres); access logs on for both"
                )
                if let index = rows.lastIndex(where: {
                    $0.work == "Serving \(label) on a PostgreSQL node: requests per second"
                }),
                    let peerFigure = rows[index].peerFigure
                {
                    let ratio = rows[index].photodesk.median / peerFigure.median
                    rows[index].note +=
                        "; target: at least 0.8x the SQLite node: **\(ratio >= 0.8 ? "met" : "NOT met")**"
                }
            }
            // How soon a caption saved by another process (a command, a node) is seen on this node:
            // the time from the command's end to the node's API showing the new caption.
            var seenAfter: [Double] = []
            for round in 0..<(runs * 4) {
                let caption = "Bộ trưởng thăm xã biên giới, lần \(round) \(UUID().uuidString.prefix(6))"
                _ = try ProcessRunner.run([
                    [
                        photodesk, "caption", "set", "--library", coldLibrary, "--catalog", nodeURL, thumbId,
                        "--caption",
                        caption,
                    ]
                ])
                let saved = Date()
                while true {
                    let answer = try ProcessRunner.output([
                        "curl", "-sf", "http://127.0.0.1:18083/api/v1/assets/\(thumbId)",
                    ])
                    if answer.contains(caption) { break }
                    guard Date().timeIntervalSince(saved) < 30 else {
                        throw ProcessRunner.Failure(
                            description: "the PostgreSQL node did not show a new caption within 30 s")
                    }
                }
                seenAfter.append(Date().timeIntervalSince(saved) * 1000)
            }
            rows.append(
                Row(
                    work: "A caption saved by another process, seen on a PostgreSQL node: delay",
                    photodesk: Figure(values: seenAfter, unit: "ms", higherIsBetter: false), peer: "–", peerFigure: nil,
                    note:
                        "\(seenAfter.count) edits by `photodesk caption set` against the node's catalog; from the command's end to the node's API answering the new caption (curl in a loop, each answer through the node's reader cache, which the catalog's notification clears); the median with the lowest and highest"
                ))
            node.stop()
            try await BenchPostgres.drop("bench_node")
        }
    }
}

/// Edits a caption once a second with the command line, on a thread of its own, until stopped.
final class EditStream: @unchecked Sendable {
    // @unchecked: `stopped` and `count` are only touched with `lock` held.
    let photodesk: String
    let library: String
    let ids: [String]
    private let lock = NSLock()
    private var stopped = false
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    init(photodesk: String, library: String, ids: [String]) {
        self.photodesk = photodesk
        self.library = library
        self.ids = ids
    }

    func start() {
        // A mark of this run in every caption: each edit changes the caption, in this run and
        // the next (an edit to the text a photo already has commits nothing).
        let mark = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let thread = Thread { [self] in
            var round = 0
            while !lock.withLock({ stopped }), !ids.isEmpty {
                let started = Date()
                let id = ids[round % ids.count]
                _ = try? ProcessRunner.run([
                    [
                        photodesk, "caption", "set", "--library", library, id, "--caption",
                        "Sửa lần \(round) (\(mark)): phiên chợ Đồng Văn",
                    ]
                ])
                round += 1
                lock.withLock { count += 1 }
                Thread.sleep(forTimeInterval: max(0, 1 - Date().timeIntervalSince(started)))
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops the stream; how many edits it made.
    func stop() -> Int {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { count }
    }
}

// MARK: 6. PostgreSQL: search, the job queue, ingest through the queue

/// A count with thousands separated by commas, as the rows write them.
func grouped(_ number: Int) -> String {
    let digits = String(number)
    return digits.enumerated().map { index, digit in
        index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
    }.joined()
}

/// "met" or "NOT met", for a row's note.
func verdict(_ figure: Figure, target: Double) -> String {
    (figure.higherIsBetter ? figure.median >= target : figure.median < target) ? "met" : "NOT met"
}

/// Waits for a condition another process brings about, giving up after `seconds`.
@MainActor func waitUntil(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try await !condition() {
        guard Date() < deadline else { throw ProcessRunner.Failure(description: "gave up waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Seconds from `photodesk ingest --enqueue FILES` to an empty queue, with two workers (one job
/// each at a time) already waiting on it; a fresh library and catalog each time.
@MainActor func queueIngest(_ files: [String], library: String) async throws -> Double {
    try reset(library)
    let url = try await BenchPostgres.freshDatabase("bench_queue_ingest")
    // Opened (and so migrated) before the workers start.
    let catalog = try await PostgresCatalog.open(url: url, logger: BenchPostgres.logger)
    let environment = [
        "PHOTODESK_HOME": ProcessInfo.processInfo.environment["PHOTODESK_HOME"]
            ?? FileManager.default.currentDirectoryPath,
        "PHOTODESK_LOG": "error",
    ]
    let logs = (0..<2).map { work + "/worker-\($0).log" }
    let workers = try (0..<2).map { slot in
        try Server(
            [
                photodesk, "worker", "--library", library, "--catalog", url, "--jobs", "1", "--poll", "0.2", "--name",
                "bench-\(slot)",
            ],
            environment: environment, log: work + "/worker-\(slot).out", errors: logs[slot])
    }
    defer { workers.forEach { $0.stop() } }
    try await waitUntil("the workers to start", seconds: 30) {
        logs.allSatisfy { ((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "").contains("Worker bench-") }
    }
    let started = Date()
    _ = try ProcessRunner.run([[photodesk, "ingest", "--library", library, "--catalog", url, "--enqueue"] + files])
    try await waitUntil("the queue to empty", seconds: 600) {
        let counts = try await catalog.jobCounts()
        return counts[.queued, default: 0] + counts[.running, default: 0] == 0
    }
    let seconds = Date().timeIntervalSince(started)
    let counts = try await catalog.jobCounts()
    await catalog.shutdown()
    guard counts[.done] == files.count, counts[.dead, default: 0] == 0 else {
        throw ProcessRunner.Failure(description: "ingest through the queue: \(counts) for \(files.count) files")
    }
    return seconds
}

/// The four slowest of a run's queries, with their times.
func slowest(_ times: [Double]) -> String {
    zip(SearchCorpus.queries, times).sorted { $0.1 > $1.1 }.prefix(4)
        .map { "`\($0.0.replacingOccurrences(of: "`", with: "'"))` \(String(format: "%.1f", $0.1)) ms" }
        .joined(separator: ", ")
}

// "postgres" is both of its parts: "pgsearch" (the search rows) and "pgqueue" (the queue's rows).
let pgSearch = only.contains("postgres") || only.contains("pgsearch")
let pgQueue = only.contains("postgres") || only.contains("pgqueue")
if pgSearch || pgQueue {
    if BenchPostgres.adminURL == nil {
        log(
            "PostgreSQL rows skipped: \(BenchPostgres.variable) is not set (make bench runs this under scripts/with-postgres)"
        )
    } else {
        let server =
            "PostgreSQL 15 from scripts/with-postgres (fsync off, shared_buffers 128 MB), one client on loopback"
        let sizes =
            pgSearch
            ? (ProcessInfo.processInfo.environment["BENCH_PG_SEARCH_SIZES"] ?? "100000,1000000")
                .split(separator: ",").compactMap { Int($0) } : []
        for size in sizes {
            let count = grouped(size)
            log("building a PostgreSQL catalog of \(count) captions")
            let building = Date()
            let url = try await PostgresSearchCorpus.build(count: size)
            let buildSeconds = Date().timeIntervalSince(building)
            let catalog = try await PostgresCatalog.open(url: url, logger: BenchPostgres.logger)
            let desk = Desk(store: catalog, library: Library(path: work + "/libraries/pg-search"))
            log("200 search queries over \(count) captions in PostgreSQL: warm-up and \(runs) runs")
            let latencies = try await searchLatencies(desk)
            await catalog.shutdown()
            try await BenchPostgres.drop("bench_search_\(size)")
            let target: Double = size >= 1_000_000 ? 50 : 10
            let median = Figure(values: latencies.map { percentile($0, 50) }, unit: "ms", higherIsBetter: false)
            let p99 = Figure(values: latencies.map { percentile($0, 99) }, unit: "ms", higherIsBetter: false)
            let met = verdict(p99, target: target)
            rows.append(
                Row(
                    work: "Search in PostgreSQL, \(count) captions: median latency of 200 queries", photodesk: median,
                    peer: "–", peerFigure: nil,
                    note:
                        "Desk.search as a reader, 20 results a page, release build; \(server); corpus built in \(String(format: "%.0f", buildSeconds)) s"
                ))
            rows.append(
                Row(
                    work: "Search in PostgreSQL, \(count) captions: 99th percentile latency", photodesk: p99, peer: "–",
                    peerFigure: nil,
                    note: "target: under \(Int(target)) ms: **\(met)**; the slowest queries of the last run: "
                        + slowest(latencies.last ?? [])
                ))
        }

        if pgQueue {
            log("the job queue's overhead: enqueue, claim and complete, one job at a time: warm-up and \(runs) runs")
            let queueURL = try await BenchPostgres.freshDatabase("bench_queue")
            let queue = try await PostgresCatalog.open(url: queueURL, logger: BenchPostgres.logger)
            _ = try await QueueOverhead.measure(queue, jobs: 200, label: "warm-up")
            var perJob: [Double] = []
            for run in 0..<runs {
                perJob.append(try await QueueOverhead.measure(queue, jobs: 1000, label: "run-\(run)"))
            }
            await queue.shutdown()
            try await BenchPostgres.drop("bench_queue")
            let overhead = Figure(values: perJob, unit: "ms/job", higherIsBetter: false)
            rows.append(
                Row(
                    work: "PostgreSQL job queue: overhead per job (enqueue, claim, complete)", photodesk: overhead,
                    peer: "–",
                    peerFigure: nil,
                    note:
                        "target: under 2 ms: **\(verdict(overhead, target: 2))**; 1,000 jobs a run through the store, three transactions a job; \(server): with fsync on, each commit also waits for the WAL flush (fdatasync of 0.7–2.7 ms on this machine's disk by pg_test_fsync)"
                ))

            let coldFolder = work + "/inputs/cold-24mp"
            let directLibrary = work + "/libraries/direct"
            let direct = try repeated("direct photodesk ingest of 50 x 24 MP, for the queue's comparison") {
                (warmUp: Bool) -> ProcessRunner.Measure in
                try reset(directLibrary)
                let inputs = warmUp ? Array(coldFiles.prefix(2)) : [coldFolder]
                return try ProcessRunner.run([
                    [photodesk, "ingest", "--library", directLibrary, "--jobs", "\(jobs)"] + inputs
                ])
            }
            log("ingest of 50 x 24 MP through the PostgreSQL queue, two workers: warm-up and \(runs) runs")
            let queueLibrary = work + "/libraries/queue"
            _ = try await queueIngest(Array(coldFiles.prefix(2)), library: queueLibrary)
            var queued: [Double] = []
            for _ in 0..<runs { queued.append(try await queueIngest(coldFiles, library: queueLibrary)) }
            try await BenchPostgres.drop("bench_queue_ingest")
            let throughQueue = Figure(values: queued.map { 50 / $0 }, unit: "files/s", higherIsBetter: true)
            let directFigure = throughput(direct, files: 50)
            let ratio = throughQueue.median / directFigure.median
            rows.append(
                Row(
                    work: "Ingest of 50 x 24 MP through the PostgreSQL queue, 2 workers (--jobs 1 each): throughput",
                    photodesk: throughQueue, peer: "direct photodesk ingest --jobs \(jobs) (SQLite)",
                    peerFigure: directFigure,
                    note:
                        "target: at least 0.9x the direct ingest: **\(ratio >= 0.9 ? "met" : "NOT met")**; from `ingest --enqueue` to an empty queue, the workers already waiting; release binary; \(server)"
                ))
        }
    }
}

// MARK: 7. A catalog as it grows: 10,000, 100,000 and 1,000,000 photos

/// The growth table, written under the rows when the section ran.
var growthTable = ""

/// What one catalog of the growth rows measured: each row's figure.
struct GrowthMeasure {
    var figures: [String: Figure] = [:]
}

/// The rows' names, in the table's order; reader pages first.
let growthPages = [
    "home page", "/photos, first page", "/photos, 10,000 deep (8,500 of 9,000 at 10,000)", "photo page", "article page",
    "search",
]
let growthCommands = ["photodesk list --limit 50", "photodesk show", "ingest of one more file"]

@MainActor func measureGrowth(count: Int, library: String, catalogURL: String?, port: Int) async throws
    -> GrowthMeasure
{
    var measure = GrowthMeasure()
    let catalogArguments = catalogURL.map { ["--catalog", $0] } ?? []
    let environment = [
        "PHOTODESK_HOME": ProcessInfo.processInfo.environment["PHOTODESK_HOME"]
            ?? FileManager.default.currentDirectoryPath,
        "PHOTODESK_LOG": "warning",
    ]
    // The token of the page 10,000 photos deep, as a reader pages there.
    let store: any CatalogStore
    var postgres: PostgresCatalog?
    if let catalogURL {
        let catalog = try await PostgresCatalog.open(url: catalogURL, logger: BenchPostgres.logger)
        postgres = catalog
        store = catalog
    } else {
        store = try SQLiteCatalog(library: Library(path: library))
    }
    let desk = Desk(store: store, library: Library(path: library))
    // 10,000 deep, or the last full page where readers see fewer (9,000 of 10,000 photos).
    let visible = try await desk.photoCount(audience: desk.readers)
    var token: String?
    for _ in 0..<max(1, min(20, visible / 500 - 1)) {
        token = try await desk.photos(limit: 500, after: token, audience: desk.readers).next
    }
    await postgres?.shutdown()
    guard let deep = token else { throw ProcessRunner.Failure(description: "no page 10,000 photos deep") }
    let server = try Server(
        [photodesk, "serve", "--library", library] + catalogArguments + ["--port", "\(port)"],
        environment: environment, log: work + "/serve-growth.log", errors: work + "/serve-growth.err")
    defer { server.stop() }
    let base = "http://127.0.0.1:\(port)"
    try Server.waitUntilUp(base + "/photos")
    let paths: [[String]] = [
        ["/"], ["/photos"], ["/photos?after=\(deep)"], GrowthCorpus.photoPages(count: count),
        GrowthCorpus.articlePages(count: count), GrowthCorpus.searchPages(),
    ]
    for (name, list) in zip(growthPages, paths) {
        let script = work + "/growth.lua"
        try GrowthCorpus.script(list, at: script)
        log("  \(name): one client, warm-up and \(runs) runs of 2 s")
        _ = try wrk(base + list[0], seconds: 1, script: script, connections: 1)
        var loads: [Load] = []
        for _ in 0..<runs { loads.append(try wrk(base + list[0], seconds: 2, script: script, connections: 1)) }
        measure.figures[name + " p50"] = Figure(values: loads.map(\.p50), unit: "ms", higherIsBetter: false)
        measure.figures[name + " p99"] = Figure(values: loads.map(\.p99), unit: "ms", higherIsBetter: false)
    }
    server.stop()
    let id = String(GrowthCorpus.sha(count / 2).prefix(16))
    let oneMore = work + "/inputs/growth-one-more"
    let commands: [(String, () throws -> [String])] = [
        (
            "photodesk list --limit 50",
            { [photodesk, "list", "--library", library] + catalogArguments + ["--limit", "50"] }
        ),
        ("photodesk show", { [photodesk, "show", "--library", library] + catalogArguments + [id] }),
        (
            "ingest of one more file",
            {
                [photodesk, "ingest", "--library", library] + catalogArguments + [try GrowthCorpus.newFile(in: oneMore)]
            }
        ),
    ]
    for (name, command) in commands {
        log("  \(name): warm-up and \(runs) runs")
        var times: [Double] = []
        for run in 0...runs {
            let seconds = try ProcessRunner.run([try command()], environment: environment).seconds
            if run > 0 { times.append(seconds * 1000) }
        }
        measure.figures[name] = Figure(values: times, unit: "ms", higherIsBetter: false)
    }
    var bytes = 0.0
    if let catalogURL {
        bytes = try await GrowthCorpus.databaseSize(catalogURL)
    } else {
        for suffix in ["", "-wal"] {
            let path = library + "/catalog.sqlite" + suffix
            bytes += ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.doubleValue ?? 0
        }
    }
    measure.figures["catalog on disk"] = Figure(values: [bytes / 1_048_576], unit: "MB", higherIsBetter: false)
    return measure
}

if only.contains("growth") {
    let sizes = (ProcessInfo.processInfo.environment["BENCH_GROWTH_SIZES"] ?? "10000,100000,1000000")
        .split(separator: ",").compactMap { Int($0) }.sorted()
    var backends: [(String, [Int: GrowthMeasure])] = []
    var sqliteMeasures: [Int: GrowthMeasure] = [:]
    for size in sizes {
        let library = Library(path: work + "/libraries/growth-\(size)")
        log("growth: a SQLite catalog of \(grouped(size)) photos (kept between runs)")
        try await GrowthCorpus.sqlite(count: size, at: library, log: log)
        log("growth: SQLite, \(grouped(size)) photos")
        sqliteMeasures[size] = try await measureGrowth(
            count: size, library: library.root, catalogURL: nil, port: 18090)
    }
    backends.append(("SQLite", sqliteMeasures))
    if BenchPostgres.adminURL == nil {
        log("growth rows on PostgreSQL skipped: \(BenchPostgres.variable) is not set (run under scripts/with-postgres)")
    } else {
        var postgresMeasures: [Int: GrowthMeasure] = [:]
        for size in sizes {
            let library = work + "/libraries/growth-pg"
            try reset(library)
            log("growth: a PostgreSQL catalog of \(grouped(size)) photos")
            let building = Date()
            let url = try await GrowthCorpus.postgres(
                count: size, name: "bench_growth", library: Library(path: library), log: log)
            log("  built in \(Int(Date().timeIntervalSince(building))) s")
            log("growth: PostgreSQL, \(grouped(size)) photos")
            postgresMeasures[size] = try await measureGrowth(
                count: size, library: library, catalogURL: url, port: 18091)
            try await BenchPostgres.drop("bench_growth")
        }
        backends.append(("PostgreSQL", postgresMeasures))
    }
    if let smallest = sizes.first, let largest = sizes.last {
        let growthTarget = 2.0
        growthTable =
            "\n**A catalog as it grows** (`BENCH_ONLY=growth`): reader pages asked for by one client at a time "
            + "(wrk -t1 -c1, 2 s a run, each request under a host name of its own so that none is answered from the "
            + "reader cache), commands timed as whole processes. Target: no row more than \(Int(growthTarget))x slower at "
            + "\(grouped(largest)) than at \(grouped(smallest)), and every reader page under 50 ms at p99.\n\n"
            + "| backend | row | " + sizes.map { grouped($0) + " photos" }.joined(separator: " | ")
            + " | largest / smallest | verdict |\n| --- | --- | " + sizes.map { _ in "---" }.joined(separator: " | ")
            + " | --- | --- |\n"
        for (backend, measures) in backends {
            let names = growthPages.flatMap { [$0 + " p50", $0 + " p99"] } + growthCommands + ["catalog on disk"]
            for name in names {
                let figures = sizes.compactMap { measures[$0]?.figures[name] }
                guard figures.count == sizes.count, let first = figures.first, let last = figures.last else { continue }
                let growth = last.median / first.median
                var verdicts: [String] = []
                if name != "catalog on disk" {
                    verdicts.append(growth <= growthTarget ? "growth met" : "**growth NOT met**")
                }
                if name.hasSuffix(" p99") {
                    verdicts.append(
                        figures.allSatisfy { $0.median < 50 } ? "under 50 ms" : "**over 50 ms**")
                }
                growthTable +=
                    "| \(backend) | \(name) | " + figures.map(\.text).joined(separator: " | ")
                    + " | \(String(format: "%.2fx", growth)) | \(verdicts.joined(separator: ", ")) |\n"
                rows.append(
                    Row(
                        work: "Growth, \(backend): \(name) at \(grouped(largest)) photos", photodesk: last,
                        peer: "the same at \(grouped(smallest)) photos", peerFigure: first,
                        note: verdicts.joined(separator: "; ")))
            }
        }
    }
}

// MARK: 8. Object storage: ingest into a bucket, serving from it

if only.contains("storage") {
    log("object storage: SeaweedFS on loopback")
    let seaweed = try SeaweedServer()
    defer { seaweed.stop() }
    let bucket = S3Client(location: seaweed.location, credentials: SeaweedServer.credentials)
    try await bucket.createBucket()
    let storage = seaweed.location.description
    let credentials = [
        "AWS_ACCESS_KEY_ID": SeaweedServer.credentials.accessKey,
        "AWS_SECRET_ACCESS_KEY": SeaweedServer.credentials.secretKey,
        "PHOTODESK_HOME": ProcessInfo.processInfo.environment["PHOTODESK_HOME"]
            ?? FileManager.default.currentDirectoryPath,
        "PHOTODESK_LOG": "warning",
    ]
    // Cold ingest of the 50 x 24 MP JPEGs, into a folder and into a folder and the bucket, runs
    // alternating; each bucket run under a prefix of its own, so nothing is already there.
    let folderLibrary = work + "/libraries/storage-folder"
    let bucketLibrary = work + "/libraries/storage-bucket"
    var toFolder: [ProcessRunner.Measure] = []
    var toBucket: [ProcessRunner.Measure] = []
    var lastRun = seaweed.location
    log("cold ingest of 50 x 24 MP to the folder and to the bucket, alternating: warm-up and \(runs) runs")
    for run in 0...runs {
        let inputs = run == 0 ? Array(coldFiles.prefix(2)) : [work + "/inputs/cold-24mp"]
        try reset(folderLibrary)
        let folderRun = try ProcessRunner.run(
            [[photodesk, "ingest", "--library", folderLibrary, "--jobs", "\(jobs)"] + inputs], environment: credentials)
        try reset(bucketLibrary)
        var location = seaweed.location
        location.prefix = "ingest-\(run)-\(UUID().uuidString.prefix(8))/"
        let bucketRun = try ProcessRunner.run(
            [
                [
                    photodesk, "ingest", "--library", bucketLibrary, "--jobs", "\(jobs)", "--storage",
                    location.description,
                ]
                    + inputs
            ], environment: credentials)
        if run > 0 {
            toFolder.append(folderRun)
            toBucket.append(bucketRun)
        }
        lastRun = location
    }
    // The last run's renditions, all of them, in the bucket.
    let stored = try await S3Client(location: lastRun, credentials: SeaweedServer.credentials).listAll(
        prefix: "renditions/")
    guard stored.count == 150 else {
        throw ProcessRunner.Failure(
            description: "the last ingest into the bucket stored \(stored.count) renditions, not 150")
    }
    rows.append(
        Row(
            work: "Cold ingest, 50 x 24 MP JPEG, 3 sizes, renditions also stored in S3: throughput",
            photodesk: throughput(toBucket, files: 50), peer: "the same ingest into the library folder only",
            peerFigure: throughput(toFolder, files: 50),
            note:
                "target: at least 0.8x the folder: **\(throughput(toBucket, files: 50).median / throughput(toFolder, files: 50).median >= 0.8 ? "met" : "NOT met")**; SeaweedFS 4.48 (weed server -s3) on loopback, its data on the same disk; each file's three renditions stored with their MD5 and SHA-256 before the catalog records them (the last run's \(stored.count) objects counted in the bucket)"
        ))

    // Serving: the folder node against a node whose folder holds only the catalog.
    log("serving from the bucket: storage copy of the folder library, a node on an empty folder")
    _ = try ProcessRunner.run(
        [[photodesk, "storage", "copy", "--library", folderLibrary, "--to", storage]], environment: credentials)
    let cacheDir = work + "/storage-cache"
    try reset(cacheDir)
    let folderCatalog = try SQLiteCatalog(library: Library(path: folderLibrary))
    let ids = try await Desk(store: folderCatalog, library: Library(path: folderLibrary))
        .photos(limit: 50, after: nil, audience: .editors).photos.map(\.shortId)
    try folderCatalog.close()
    for id in ids { _ = try ProcessRunner.run([[photodesk, "publish", "--library", folderLibrary, id]]) }
    // The node's catalog: a backup of the folder library's (its WAL folded in), and no files.
    let emptyNode = work + "/libraries/storage-node"
    try reset(emptyNode)
    try reset(work + "/storage-node-backup")
    try FileManager.default.removeItem(atPath: work + "/storage-node-backup")
    _ = try ProcessRunner.run([[photodesk, "backup", "--library", folderLibrary, work + "/storage-node-backup"]])
    _ = try ProcessRunner.run([
        [photodesk, "restore", "--library", emptyNode, work + "/storage-node-backup"]
    ])
    let folderNode = try Server(
        [photodesk, "serve", "--library", folderLibrary, "--port", "18095"], environment: credentials,
        log: work + "/serve-storage-folder.log")
    defer { folderNode.stop() }
    let bucketNode = try Server(
        [photodesk, "serve", "--library", emptyNode, "--port", "18096", "--cache-dir", cacheDir],
        environment: credentials, log: work + "/serve-storage-bucket.log")
    defer { bucketNode.stop() }
    for port in [18095, 18096] { try Server.waitUntilUp("http://127.0.0.1:\(port)/photos") }
    // A cold cache: the first request for each of the 50 thumbnails, one at a time, on each node.
    func firstFetches(port: Int) throws -> [Double] {
        try ids.map { id in
            let started = DispatchTime.now().uptimeNanoseconds
            let status = try ProcessRunner.output([
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/r/\(id)/thumb.webp",
            ])
            guard status == "200" else {
                throw ProcessRunner.Failure(description: "thumbnail \(id) on port \(port) answered \(status)")
            }
            return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        }
    }
    log("first requests for 50 thumbnails on each node (cold caches)")
    let coldBucket = try firstFetches(port: 18096)
    let coldFolder = try firstFetches(port: 18095)
    rows.append(
        Row(
            work: "Serving a thumbnail from S3 with a cold cache: first request, median of 50 thumbnails",
            photodesk: Figure(values: [percentile(coldBucket, 50)], unit: "ms", higherIsBetter: false),
            peer: "the same first requests on the folder node",
            peerFigure: Figure(values: [percentile(coldFolder, 50)], unit: "ms", higherIsBetter: false),
            note:
                "one run; p99 \(Figure.format(percentile(coldBucket, 99))) ms against \(Figure.format(percentile(coldFolder, 99))) ms; each a curl process from start to end; the node reads the bucket into its disk cache, then memory"
        ))
    let thumb = "/r/\(ids[0])/thumb.webp"
    try loadRows(
        "Serving a thumbnail rendition from a node whose store is S3, its cache warm", "http://127.0.0.1:18096" + thumb,
        peer: "the node serving the same library from its folder", peerURL: "http://127.0.0.1:18095" + thumb,
        note: "the bucket node's folder holds only the catalog; target: at least 0.9x the folder node")
    if let index = rows.lastIndex(where: { $0.work.hasSuffix("its cache warm: requests per second") }),
        let peerFigure = rows[index].peerFigure
    {
        let ratio = rows[index].photodesk.median / peerFigure.median
        rows[index].note += ": **\(ratio >= 0.9 ? "met" : "NOT met")**"
    }
    try await bucket.shutdown()
}

// MARK: Report

let cores = ProcessInfo.processInfo.activeProcessorCount
let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
let cpuModel =
    ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map {
        $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    } ?? "unknown"
let date = ISO8601DateFormatter().string(from: Date())
var report = """
    # Photodesk benchmarks

    Measured by `make bench` on \(date): \(cores) cores (\(cpuModel)), \(String(format: "%.0f", memory)) GiB of memory.
    Each figure is the median of \(runs) runs after a warm-up, with the lowest and highest in brackets, unless the
    notes say otherwise. Ratios are Photodesk against the peer: above 1 means Photodesk is better (more throughput,
    or less time or memory). Parallelism is \(jobs) for everything that runs in parallel.

    | work | Photodesk | peer | peer's figure | ratio | notes |
    | --- | --- | --- | --- | --- | --- |

    """
for row in rows {
    report +=
        "| \(row.work) | \(row.photodesk.text) | \(row.peer) | \(row.peerFigure?.text ?? "–") | \(row.ratio) | \(row.note) |\n"
}
report += """

    The inputs are made by the benchmark itself: JPEGs with camera EXIF and noisy content (not flat colour),
    50 of 6000x4000 for the cold ingest, 1,000 of 640x427 for the scale run, 10,000 of 64x48 for the re-scan,
    and 100,000 generated Vietnamese and English captions for search (made beside the photos, on its own
    thread, before anything is measured). The peers make the same three sizes (320 px WebP, 1024 px WebP,
    2048 px JPEG) from the same files, one process per file and size, two at a time; ImageMagick is given
    `-define jpeg:size` set to the box (shrink on load; twice the box, as its guide suggests, exhausts Debian's
    ImageMagick resource policy at 2048 px) and one thread per process. The second vipsthumbnail peer decodes
    each original once, to 2048 px, and makes 1024 and 320 px from that JPEG. No peer converts colour: the
    files carry no ICC profile, and Photodesk converts only files that do. Photodesk's ingest also hashes
    each file, reads its metadata and records it in SQLite. The scale run's memory is its peak resident set
    (VmHWM) read while it runs, after its 50th file and after its last. Each cold-ingest warm-up is a pass
    over 2 files; each wrk warm-up is one second of the same load. The serving rows run with access logs on:
    Photodesk's default (a line per request on standard error, gathered and written by its own thread a tenth
    of a second at a time) and nginx's
    `access_log` in the combined format, buffered 64 KiB. The article page is the published article with the
    first five 24 MP photos; nginx serves the HTML Photodesk made for it, saved as a file (no pictures are
    fetched). The uncached search row sends 200 different queries with a request number and a name new at
    each run of wrk, so no URL repeats across the warm-up and the runs (before 2026-12-01 the names repeated
    from run to run, and some answers came from the reader cache); the reader cache's hit count in /metrics
    is read before and after to show it.
    The PostgreSQL rows run against the
    throwaway PostgreSQL 15 that `make bench` starts with `scripts/with-postgres` (fsync off, default memory
    settings); their search corpora are the same generated captions, written 10,000 photos a statement
    (asset, caption and search rows, as the store writes them) and analysed before the queries, made anew each
    run (BENCH_PG_SEARCH_SIZES=100000 leaves out the million). Total time: \(String(format: "%.0f", Date().timeIntervalSince(benchStart))) s.

    """
report += growthTable
// What follows the marker in the previous results (figures of earlier releases, each with where it
// was measured) is carried over as it is.
let keptMarker = "<!-- kept between runs: everything below is carried over by make bench -->"
if let previous = try? String(contentsOfFile: resultsFile, encoding: .utf8),
    let kept = previous.range(of: keptMarker)
{
    report += "\n" + previous[kept.lowerBound...]
}
try report.write(toFile: resultsFile, atomically: true, encoding: .utf8)
print(report)

/// The 100,000 generated captions the search rows query.
enum SearchCorpus {
    static let places = [
        "Hà Nội", "Huế", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Nha Trang", "Vinh", "Đồng Văn", "Lũng Cú", "Hà Giang",
        "Mèo Vạc", "Sa Pa",
    ]
    static let subjects = [
        "Bộ trưởng tiếp đoàn đại biểu", "Officials meet farmers", "Lễ khai giảng năm học mới",
        "Flood relief reaches villages",
        "Hội nghị hợp tác kinh tế", "Students at the new library", "Phiên chợ cuối tuần", "Fishermen return to port",
        "Ruộng bậc thang mùa lúa chín", "Delegation visits the border post",
    ]

    /// When every photo of the corpus was published.
    static let published = Date(timeIntervalSince1970: 1_600_000_000)

    /// The caption fields of photo number `index`.
    static func fields(_ index: Int) -> CaptionFields {
        let place = places[(index / 10) % places.count]
        var fields = CaptionFields()
        fields.caption = "\(subjects[index % subjects.count]) tại \(place), ảnh \(index)."
        fields.byline = index % 3 == 0 ? "Nguyễn Văn An" : "Trần Thị Bình"
        fields.credit = "Cổng Thông tin Demo"
        fields.city = place
        return fields
    }

    /// Photo number `index`: one second newer than the one before, and published (the search
    /// rows are a reader's searches).
    static func photo(_ index: Int) -> Photo {
        Photo(
            sha256: String(format: "%016x", index + 1) + String(repeating: "0", count: 48), format: "jpeg", bytes: 1,
            width: 1, height: 1, createdAt: published.addingTimeInterval(Double(index)), publishedAt: published)
    }

    /// The 200 queries: a place; its first 4 letters; a place and the first word of a subject;
    /// an unbalanced quote before a place.
    static let queries = (0..<200).map { index -> String in
        let place = SearchText.fold(places[index % places.count])
        switch index % 4 {
        case 0: return place
        case 1: return String(place.prefix(4))
        case 2: return "\(place) \(SearchText.fold(subjects[index % subjects.count]).split(separator: " ").first ?? "")"
        default: return "\"\(place)"
        }
    }

    /// Builds the catalog beside `library`'s folder and moves it into place when complete, so an
    /// interrupted build is made again next time rather than measured half made.
    static func build(at library: Library) async throws {
        let partial = library.root + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        do {
            let partialLibrary = Library(path: partial)
            let desk = Desk(store: try SQLiteCatalog(library: partialLibrary), library: partialLibrary)
            var batch: [IngestedFile] = []
            for index in 0..<100_000 {
                let photo = photo(index)
                batch.append(
                    IngestedFile(
                        photo: photo,
                        location: FileLocation(
                            path: "/photos/\(index).jpg", sha256: photo.sha256, size: 1, modifiedAt: 1,
                            inode: Int64(index)),
                        captions: fields(index), captionSource: "embedded", renditions: [], author: "bench"))
                if batch.count == 10_000 {
                    try await desk.record(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        try? FileManager.default.removeItem(atPath: library.root)
        try FileManager.default.moveItem(atPath: partial, toPath: library.root)
    }
}

/// An error handed from a background thread to the main one.
final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}
