import Foundation
import Rights
import Testing

@Suite("Restrictions from the agencies' words")
struct RestrictionTests {
    /// 2026-12-08 05:00 UTC.
    static let embargoEnd = Date(timeIntervalSince1970: 1_796_706_000)

    /// The kinds and texts found, as "kind: text" lines.
    static func read(_ text: String) -> [String] {
        Restrictions.parse(text).map { "\($0.kind.rawValue): \($0.text)" }
    }

    @Test("the usual phrases, in order")
    func usual() {
        #expect(
            Self.read("EDITORIAL USE ONLY. NO ARCHIVE. MANDATORY CREDIT") == [
                "editorial-use-only: EDITORIAL USE ONLY", "no-archive: NO ARCHIVE",
                "mandatory-credit: MANDATORY CREDIT",
            ])
        #expect(
            Self.read("FOR EDITORIAL USE ONLY; NO SALES; NO ARCHIVES") == [
                "editorial-use-only: FOR EDITORIAL USE ONLY", "no-sales: NO SALES", "no-archive: NO ARCHIVES",
            ])
        #expect(
            Self.read("editorial use, no sale\nNo Archiving") == [
                "editorial-use-only: editorial use", "no-sales: no sale", "no-archive: No Archiving",
            ])
        for text in ["NO ONLINE", "ONLINE OUT", "INTERNET OUT", "no internet", "No Online Use."] {
            #expect(Restrictions.parse(text).map(\.kind) == [.noOnline], "\(text)")
        }
    }

    @Test("a mandatory credit gives its line; an OUT list its items")
    func creditAndOut() {
        let found = Restrictions.parse("MANDATORY CREDIT: REUTERS/JANE DOE. OUT: FRANCE, BELGIUM")
        #expect(
            found == [
                Restriction(
                    kind: .mandatoryCredit, text: "MANDATORY CREDIT: REUTERS/JANE DOE", credit: "REUTERS/JANE DOE"),
                Restriction(kind: .out, text: "OUT: FRANCE, BELGIUM", out: ["FRANCE", "BELGIUM"]),
            ])
        #expect(
            Restrictions.parse("Mandatory credit: AP Photo/J. Doe, no sales").map(\.credit) == ["AP Photo/J. Doe", nil])
        #expect(Restrictions.parse("MANDATORY CREDIT").first?.credit == nil)
        #expect(
            Self.read("OUT: U.S., CANADA NO ARCHIVE. NO SALES")
                == ["out: OUT: U.S., CANADA", "no-archive: NO ARCHIVE", "no-sales: NO SALES"])
        #expect(Restrictions.parse("out: us,, uk ,").first?.out == ["us", "uk"])
        #expect(Self.read("OUT:") == ["unparsed: OUT"])
    }

    @Test(
        "embargo times in the agencies' formats",
        arguments: [
            "EMBARGOED UNTIL 2026-12-08 05:00 GMT", "EMBARGOED UNTIL 2026-12-08T05:00:00Z",
            "EMBARGO: 2026-12-08T12:00+07:00", "EMBARGO UNTIL 0500 GMT DECEMBER 8, 2026",
            "HOLD FOR RELEASE UNTIL 05:00 GMT 8 DEC 2026", "NOT FOR PUBLICATION BEFORE 8 December 2026 05:00 UTC",
            "embargoed until 12:00 ICT 8 Dec 2026", "Embargoed until 00:00 EST 8 Dec. 2026",
            "EMBARGOED UNTIL 5 AM GMT ON TUESDAY, DEC. 8TH, 2026", "EMBARGOED UNTIL 2026-12-08 06:00 CET",
            "EMBARGOED UNTIL 2026-12-08 12:00 +0700", "EMBARGOED UNTIL 2026-12-08 12:00 GMT+7",
            "EMBARGOED UNTIL 2026-12-08 05:00:00.000Z", "EMBARGOED UNTIL 05.00 GMT 8-DEC-2026",
            "under embargo until 9:00 p.m. PST December 7, 2026", "EMBARGOED UNTIL 2026-12-08T14:00+0900",
        ])
    func embargo(text: String) {
        let found = Restrictions.parse(text)
        #expect(found == [Restriction(kind: .embargo, text: text, until: Self.embargoEnd)])
    }

    @Test(
        "an embargo time that is not whole is not guessed",
        arguments: [
            "EMBARGOED UNTIL 2026-12-08 05:00", "EMBARGOED UNTIL 05:00 GMT DECEMBER 8",
            "EMBARGOED UNTIL 2026-02-30 05:00 GMT", "EMBARGOED UNTIL 25:00 GMT 8 DEC 2026",
            "EMBARGOED UNTIL 05:00 IST 8 DEC 2026", "EMBARGOED UNTIL 05:00 GMT 08/12/2026",
            "EMBARGOED UNTIL 05:00 GMT ON MONDAY 8 DEC 2026", "EMBARGOED UNTIL 5 GMT 8 DEC 2026",
            "EMBARGOED UNTIL FURTHER NOTICE", "EMBARGO", "EMBARGOED UNTIL 13 PM GMT 8 DEC 2026",
            "EMBARGOED UNTIL 05:00 +15:00 8 DEC 2026",
        ])
    func unguessed(text: String) {
        #expect(Restrictions.parse(text) == [Restriction(kind: .unparsed, text: text)])
    }

    @Test("what is not understood stays, clause by clause, with its words")
    func unparsed() {
        #expect(
            Self.read("THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY.")
                == ["unparsed: THIS IMAGE HAS BEEN SUPPLIED BY A THIRD PARTY"])
        #expect(
            Self.read("Please note: NO ARCHIVE for this one. Thanks") == [
                "unparsed: Please note … for this one", "no-archive: NO ARCHIVE", "unparsed: Thanks",
            ])
        #expect(
            Self.read("EMBARGOED UNTIL 2026-12-08 05:00 GMT PLEASE RESPECT")
                == ["embargo: EMBARGOED UNTIL 2026-12-08 05:00 GMT", "unparsed: PLEASE RESPECT"])
        #expect(
            Self.read("NO SALES IN THE U.S. NO ARCHIVE") == [
                "no-sales: NO SALES", "unparsed: IN THE U.S.", "no-archive: NO ARCHIVE",
            ])
        #expect(Self.read("CHỈ DÙNG CHO MỤC ĐÍCH BIÊN TẬP") == ["unparsed: CHỈ DÙNG CHO MỤC ĐÍCH BIÊN TẬP"])
        #expect(
            Self.read("See www.example.com. FRANCE OUT") == ["unparsed: See www.example.com", "unparsed: FRANCE OUT"])
    }

    @Test("duplicates once, empty text nothing")
    func duplicates() {
        #expect(
            Self.read("NO ARCHIVE. NO ARCHIVE; no archive") == ["no-archive: NO ARCHIVE", "no-archive: no archive"])
        #expect(Restrictions.parse("").isEmpty)
        #expect(Restrictions.parse(" \n\t ").isEmpty)
    }

    @Test("hostile texts")
    func hostile() {
        #expect(Restrictions.parse(String(repeating: ".", count: 100_000)).isEmpty)
        #expect(Restrictions.parse("!!! ??? --- ,,, ;;; ...").isEmpty)
        #expect(Self.read("📵 🚫") == ["unparsed: 📵 🚫"])
        let repeated = String(repeating: "NO ", count: 20_000)
        #expect(Restrictions.parse(repeated).map(\.kind) == [.unparsed])
        let phrases = String(repeating: "NO ARCHIVE ", count: 20_000)
        #expect(Self.read(phrases) == ["no-archive: NO ARCHIVE"])
        let outs = String(repeating: "OUT: ", count: 20_000)
        #expect(Restrictions.parse(outs).map(\.kind) == [.unparsed])
        let credits = String(repeating: "MANDATORY CREDIT: ", count: 5_000) + "AP"
        #expect(Restrictions.parse(credits).map(\.credit).last == "AP")
        let digits = "EMBARGOED UNTIL " + String(repeating: "9", count: 50_000)
        #expect(Restrictions.parse(digits).map(\.kind) == [.unparsed])
    }

    @Test("restrictions encode and decode")
    func codable() throws {
        let found = Restrictions.parse("EMBARGOED UNTIL 2026-12-08 05:00 GMT. OUT: FRANCE")
        let data = try JSONEncoder().encode(found)
        #expect(try JSONDecoder().decode([Restriction].self, from: data) == found)
    }
}
