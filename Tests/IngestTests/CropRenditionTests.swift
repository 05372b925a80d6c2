import Catalog
import CatalogSQLite
import Desk
import Foundation
import Imaging
import Ingest
import PhotoFactory
import PhotoModel
import Testing

@Suite("Crop renditions")
struct CropRenditionTests {
    @Test(
        "a crop is made from the original, named by content, its aspect within a pixel; verify --repair makes it again")
    func cropAndRepair() async throws {
        let work = try TemporaryFolder("crops")
        let library = Library(path: work.path + "/library")
        let desk = Desk(store: try SQLiteCatalog(library: library), library: library)
        // Taken with the camera turned: the crop is of the photo as displayed (upright).
        try SyntheticPhoto(width: 900, height: 1350, orientation: 6, seed: 3).write(to: work.file("in/a.jpg"))
        let original = try Data(contentsOf: URL(fileURLWithPath: work.path + "/in/a.jpg"))
        _ = try await Ingester(desk: desk, pipeline: IngesterTests.pipeline).run([work.path + "/in"]) { _ in }
        let photo = try await desk.photo(work.path + "/in/a.jpg")
        #expect(photo.width == 900 && photo.height == 1350)
        let aspect = CropAspect(name: "portrait", width: 4, height: 5)
        let crop = aspect.centred(width: photo.width, height: photo.height)
        #expect(crop.width == 900 && crop.height == 1125 && crop.y == 112)
        let made = try await CropRenditions(desk: desk).make(sha256: photo.sha256, crop: crop)
        #expect(made.preset == Crops.presetName(sha256: photo.sha256, crop: crop))
        #expect(abs(made.width * 5 - made.height * 4) <= 5, "\(made.width) x \(made.height) is 4:5 within a pixel")
        let image = try VipsImage.load(path: library.absolute(made.path))
        #expect(image.width == made.width && image.height == made.height)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: work.path + "/in/a.jpg")) == original, "the original is untouched"
        )
        // Made once: asking again finds it.
        #expect(try await CropRenditions(desk: desk).make(sha256: photo.sha256, crop: crop) == made)

        unlink(library.absolute(made.path))
        let report = try await Verifier(desk: desk).repair()
        #expect(report.unresolved.isEmpty, "\(report.problems)")
        #expect(FileStat.of(library.absolute(made.path)) != nil, "the crop is made again under the same name")
    }
}
