import Catalog
import Desk
import Foundation
import PhotoModel
import Testing

/// Each backend keeps photos' looks and finds every hash at most 4 bits away through the blocks.
@Suite("Catalog contract: looks and twins")
struct TwinContractTests {
    @Test(
        "looks written with the photo or afterwards; candidates through the blocks; gone with the photo",
        arguments: Backend.available)
    func looks(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        let store = harness.store
        let base = DifferenceHash(value: 0x0123_4567_89AB_CDEF)
        // One bit flipped in each of blocks 0 to 3: only block 4 still agrees.
        let near = DifferenceHash(value: base.value ^ (1 << 0) ^ (1 << 13) ^ (1 << 26) ^ (1 << 39))
        // Every block different, 20 bits away.
        let far = DifferenceHash(value: (0..<5).reduce(base.value) { $0 ^ (0xF << UInt64($1 * 13)) })
        #expect(zip(base.blocks, far.blocks).allSatisfy { $0 != $1 })

        var first = Harness.record(1, caption: "Cột cờ Lũng Cú", takenAt: "2026-12-07T09:15:00+07:00")
        first.look = PhotoLook(sha256: Harness.sha(1), hash: base)
        var uniform = Harness.record(2)
        uniform.look = PhotoLook(sha256: Harness.sha(2), hash: nil)
        try await store.record([first, uniform, Harness.record(3), Harness.record(4)])
        // Photos 3 and 4 were catalogued without a look: found, then given one.
        #expect(try await store.photosWithoutLook(limit: 10).sorted() == [Harness.sha(3), Harness.sha(4)])
        try await store.saveLooks([
            PhotoLook(sha256: Harness.sha(3), hash: near), PhotoLook(sha256: Harness.sha(4), hash: far),
            PhotoLook(sha256: Harness.sha(99), hash: base),
        ])
        #expect(try await store.photosWithoutLook(limit: 10) == [])

        let signatures = try await store.twinSignatures()
        #expect(Set(signatures.map(\.sha256)) == [Harness.sha(1), Harness.sha(3), Harness.sha(4)])
        let firstSignature = try #require(signatures.first { $0.sha256 == Harness.sha(1) })
        #expect(firstSignature.hash == base)
        #expect(firstSignature.takenAt == "2026-12-07T09:15:00+07:00")
        #expect(firstSignature.camera == "Canon EOS R5")

        let candidates = try await store.twinCandidates(of: base, limit: 100).map(\.sha256)
        #expect(Set(candidates) == [Harness.sha(1), Harness.sha(3)])
        let twins = try await harness.desk.sameFrame(as: Harness.sha(1), hash: base)
        #expect(twins.map(\.sha256) == [Harness.sha(3)])
        #expect(
            try await harness.desk.twins(bursts: false).map { $0.photos.map(\.sha256) } == [
                [Harness.sha(1), Harness.sha(3)]
            ])

        _ = try await store.deletePhoto(Harness.sha(3), requireUnused: true)
        #expect(try await store.twinCandidates(of: base, limit: 100).map(\.sha256) == [Harness.sha(1)])
    }

    @Test("what Content Credentials said at ingest is kept with the photo", arguments: Backend.available)
    func provenance(_ backend: Backend) async throws {
        let harness = try await Harness.make(backend)
        var signed = Provenance(state: .invalid)
        signed.codes = ["assertion.dataHash.mismatch", "claimSignature.mismatch"]
        signed.reason = "hash verification (Hashes do not match)"
        signed.issuer = "Thông tấn xã"
        signed.commonName = "TTXVN Signer"
        signed.signedAt = "2026-12-07T02:15:00+00:00"
        signed.generator = "Camera 1.0"
        signed.actions = ["c2pa.created", "c2pa.cropped"]
        signed.sourceType = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
        signed.report = #"{"active_manifest":"urn:x"}"#
        var first = Harness.record(1)
        first.provenance = signed
        try await harness.store.record([first, Harness.record(2)])
        #expect(try await harness.store.provenance(of: Harness.sha(1)) == signed)
        #expect(try await harness.store.provenance(of: Harness.sha(1))?.isGenerated == true)
        #expect(try await harness.store.provenance(of: Harness.sha(2)) == nil)
        // Listings and counts by verdict and by the AI-generated declaration.
        var none = Harness.record(3)
        none.provenance = Provenance(state: .absent)
        try await harness.store.record([none])
        for (filters, expected) in [
            (SearchFilters(provenance: .invalid), [Harness.sha(1)]),
            (SearchFilters(provenance: .absent), [Harness.sha(3)]),
            (SearchFilters(provenance: .valid), []), (SearchFilters(generated: true), [Harness.sha(1)]),
        ] {
            let listed = try await harness.store.photos(filters: filters, limit: 10, after: nil, audience: .editors)
            #expect(listed.map(\.sha256) == expected, "\(filters)")
            #expect(try await harness.store.photoCount(filters: filters, audience: .editors) == expected.count)
        }
        _ = try await harness.store.deletePhoto(Harness.sha(1), requireUnused: true)
        #expect(try await harness.store.provenance(of: Harness.sha(1)) == nil)
    }
}
