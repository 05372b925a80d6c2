import Foundation

/// The time of an embargo, read token by token (no locale, no guessing): a date with its year, a
/// time of day and a zone, in the orders agencies write them.
///
/// - `2026-12-08 05:00 GMT`, `2026-12-08T05:00:00Z`, `2026-12-08T12:00+07:00`
/// - `0500 GMT DECEMBER 8, 2026`, `05:00 GMT 8 DEC 2026`, `12:00 ICT 8 Dec 2026`
/// - `8 December 2026 05:00 UTC`, `5 PM GMT ON TUESDAY, DEC. 8, 2026`
///
/// The zone is GMT, UTC, Z (right after the time), a numeric offset (`+07:00`, `+0700`, also
/// `GMT+7`) or a name of ``zones``; names that mean several zones (CST, IST) are not among them.
/// A time without a zone, a date without a year, an impossible date or a weekday that is not
/// the date's does not read.
struct EmbargoTime {
    /// The clause's tokens.
    let tokens: [Token]
    /// The token the time must end before.
    let limit: Int

    /// Zones by name, as offsets from UTC in hours.
    static let zones: [String: Double] = [
        "GMT": 0, "UTC": 0, "UT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
        "MSK": 3, "GST": 4, "PKT": 5, "ICT": 7, "WIB": 7, "HKT": 8, "SGT": 8, "PHT": 8, "AWST": 8, "JST": 9,
        "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7,
        "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    ]

    /// Months by their English names and abbreviations.
    static let months: [String: Int] = [
        "JANUARY": 1, "JAN": 1, "FEBRUARY": 2, "FEB": 2, "MARCH": 3, "MAR": 3, "APRIL": 4, "APR": 4, "MAY": 5,
        "JUNE": 6, "JUN": 6, "JULY": 7, "JUL": 7, "AUGUST": 8, "AUG": 8, "SEPTEMBER": 9, "SEPT": 9, "SEP": 9,
        "OCTOBER": 10, "OCT": 10, "NOVEMBER": 11, "NOV": 11, "DECEMBER": 12, "DEC": 12,
    ]

    /// Weekdays by name, 0 for Sunday.
    static let weekdays: [String: Int] = [
        "SUNDAY": 0, "SUN": 0, "MONDAY": 1, "MON": 1, "TUESDAY": 2, "TUE": 2, "TUES": 2, "WEDNESDAY": 3, "WED": 3,
        "THURSDAY": 4, "THU": 4, "THUR": 4, "THURS": 4, "FRIDAY": 5, "FRI": 5, "SATURDAY": 6, "SAT": 6,
    ]

    /// A calendar date.
    struct Day {
        var year: Int
        var month: Int
        var day: Int
    }

    /// The instant and the token after the time's last one, when a whole time reads from `start`.
    func parse(from start: Int) -> (Date, Int)? {
        var day: Day? = nil
        var clock: Double? = nil
        var offset: Double? = nil
        var weekday: Int? = nil
        var index = start
        var end = start
        while index < limit, day == nil || clock == nil {
            let token = tokens[index]
            if [",", "(", ")"].contains(token.upper) || ["ON", "AT", "THE"].contains(token.upper) {
                index += 1
            } else if let named = Self.weekdays[token.upper] {
                guard weekday == nil || weekday == named else { return nil }
                weekday = named
                index += 1
            } else if day == nil, let (date, next) = isoDate(at: index) ?? namedDate(at: index) {
                day = date
                index = next
                end = next
                // 2026-12-08T05:00:00Z
                if clock == nil, word("T", at: index), adjacent(index - 1, index), adjacent(index, index + 1),
                    let (seconds, zone, next) = time(at: index + 1)
                {
                    clock = seconds
                    offset = zone
                    index = next
                    end = next
                }
            } else if clock == nil, let (seconds, zone, next) = time(at: index) {
                clock = seconds
                offset = zone
                index = next
                end = next
            } else {
                break
            }
        }
        guard let day, let clock, let offset, let days = Self.days(day) else { return nil }
        if let weekday, Self.weekday(days) != weekday { return nil }
        let seconds = Double(days) * 86_400 + clock - offset
        return (Date(timeIntervalSince1970: seconds), end)
    }

    // MARK: Dates

    /// `2026-12-08`.
    func isoDate(at index: Int) -> (Day, Int)? {
        guard let year = number(at: index, digits: 4...4), mark("-", at: index + 1),
            let month = number(at: index + 2, digits: 1...2), mark("-", at: index + 3),
            let day = number(at: index + 4, digits: 1...2), adjacent(index, index + 4)
        else { return nil }
        return (Day(year: year, month: month, day: day), index + 5)
    }

    /// `8 December 2026`, `8th Dec. 2026`, `8-DEC-2026`, `December 8, 2026`, `Dec 8th 2026`.
    func namedDate(at index: Int) -> (Day, Int)? {
        if let (day, afterDay) = dayOfMonth(at: index) {
            var next = afterDay
            if word("OF", at: next) || mark("-", at: next) || mark("/", at: next) { next += 1 }
            guard let (month, afterMonth) = month(at: next) else { return nil }
            next = afterMonth
            if mark("-", at: next) || mark("/", at: next) || mark(",", at: next) { next += 1 }
            guard let year = number(at: next, digits: 4...4) else { return nil }
            return (Day(year: year, month: month, day: day), next + 1)
        }
        guard let (month, afterMonth) = month(at: index), let (day, afterDay) = dayOfMonth(at: afterMonth) else {
            return nil
        }
        var next = afterDay
        if mark(",", at: next) { next += 1 }
        guard let year = number(at: next, digits: 4...4) else { return nil }
        return (Day(year: year, month: month, day: day), next + 1)
    }

    /// A day of the month, `8` or `8th`.
    func dayOfMonth(at index: Int) -> (Int, Int)? {
        guard let day = number(at: index, digits: 1...2) else { return nil }
        if index + 1 < limit, ["ST", "ND", "RD", "TH"].contains(tokens[index + 1].upper), adjacent(index, index + 1) {
            return (day, index + 2)
        }
        return (day, index + 1)
    }

    /// A month's name, or its abbreviation with or without a full stop.
    func month(at index: Int) -> (Int, Int)? {
        guard index < limit, tokens[index].kind == .word, let month = Self.months[tokens[index].upper] else {
            return nil
        }
        return mark(".", at: index + 1) && adjacent(index, index + 1) ? (month, index + 2) : (month, index + 1)
    }

    // MARK: Times and zones

    /// A time of day with its zone: seconds after midnight, the zone's offset in seconds, and the
    /// token after. `05:00`, `05.00`, `05:00:00.5`, `0500` (then a zone must follow), `5 PM`,
    /// `5:30 p.m.`; then `GMT`, `Z`, `+07:00`, `+0700` or `GMT+7`.
    func time(at index: Int) -> (Double, Double, Int)? {
        var hour: Int
        var minute = 0
        var second = 0.0
        var next: Int
        if let value = number(at: index, digits: 4...4) {
            hour = value / 100
            minute = value % 100
            next = index + 1
            if let unit = tokens[safe: next, limit]?.upper, ["H", "HRS", "HOURS"].contains(unit) { next += 1 }
        } else if let value = number(at: index, digits: 1...2) {
            hour = value
            next = index + 1
            if mark(":", at: next) || mark(".", at: next), adjacent(index, next), adjacent(next, next + 1),
                let value = number(at: next + 1, digits: 2...2)
            {
                minute = value
                next += 2
                if mark(":", at: next), adjacent(next - 1, next), adjacent(next, next + 1),
                    let value = number(at: next + 1, digits: 2...2)
                {
                    second = Double(value)
                    next += 2
                    if mark(".", at: next), adjacent(next - 1, next), adjacent(next, next + 1),
                        next + 1 < limit, tokens[next + 1].kind == .number,
                        let fraction = Double("0." + tokens[next + 1].upper.prefix(9))
                    {
                        second += fraction
                        next += 2
                    }
                }
            }
        } else {
            return nil
        }
        let plainHour = number(at: index, digits: 1...2) != nil && next == index + 1
        if let (pm, after) = meridiem(at: next) {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
            next = after
        } else if plainHour {
            return nil
        }
        guard (0...23).contains(hour), (0...59).contains(minute), second < 60 else { return nil }
        guard let (offset, after) = zone(at: next, afterTime: next - 1) else { return nil }
        return (Double(hour * 3600 + minute * 60) + second, offset, after)
    }

    /// `AM`, `PM`, `A.M.`, `P.M.`: whether after noon, and the token after.
    func meridiem(at index: Int) -> (Bool, Int)? {
        guard index < limit else { return nil }
        switch tokens[index].upper {
        case "AM": return (false, index + 1)
        case "PM": return (true, index + 1)
        case "A", "P":
            guard mark(".", at: index + 1), word("M", at: index + 2) else { return nil }
            return (tokens[index].upper == "P", mark(".", at: index + 3) ? index + 4 : index + 3)
        default: return nil
        }
    }

    /// A zone right after a time: its offset in seconds and the token after.
    func zone(at index: Int, afterTime time: Int) -> (Double, Int)? {
        guard index < limit else { return nil }
        let token = tokens[index]
        if token.upper == "Z" {
            return adjacent(time, index) ? (0, index + 1) : nil
        }
        if let hours = Self.zones[token.upper] {
            // GMT+7, UTC+07:00
            if ["GMT", "UTC", "UT"].contains(token.upper), adjacent(index, index + 1),
                let (offset, after) = offset(at: index + 1, shortHours: true)
            {
                return (offset, after)
            }
            return (hours * 3600, index + 1)
        }
        return offset(at: index, shortHours: false)
    }

    /// `+07:00`, `+0700`, and with `shortHours` `+7`: the offset in seconds and the token after.
    func offset(at index: Int, shortHours: Bool) -> (Double, Int)? {
        guard mark("+", at: index) || mark("-", at: index) || mark("\u{2212}", at: index),
            adjacent(index, index + 1)
        else { return nil }
        let sign: Double = tokens[index].upper == "+" ? 1 : -1
        var hours: Int
        var minutes = 0
        var next = index + 2
        if let value = number(at: index + 1, digits: 4...4) {
            hours = value / 100
            minutes = value % 100
        } else if let value = number(at: index + 1, digits: shortHours ? 1...2 : 2...2) {
            hours = value
            if mark(":", at: next), adjacent(next - 1, next), adjacent(next, next + 1),
                let value = number(at: next + 1, digits: 2...2)
            {
                minutes = value
                next += 2
            } else if !shortHours {
                return nil
            }
        } else {
            return nil
        }
        guard hours <= 14, minutes <= 59 else { return nil }
        return (sign * Double(hours * 3600 + minutes * 60), next)
    }

    // MARK: Tokens

    /// The value of a number token with that many digits.
    func number(at index: Int, digits: ClosedRange<Int>) -> Int? {
        guard index < limit, tokens[index].kind == .number, digits.contains(tokens[index].upper.count) else {
            return nil
        }
        return Int(tokens[index].upper)
    }

    /// Whether the token is that mark.
    func mark(_ text: String, at index: Int) -> Bool {
        index < limit && tokens[index].kind == .mark && tokens[index].upper == text
    }

    /// Whether the token is that word.
    func word(_ text: String, at index: Int) -> Bool {
        index < limit && tokens[index].kind == .word && tokens[index].upper == text
    }

    /// Whether two tokens touch (no space between the first and the last).
    func adjacent(_ first: Int, _ last: Int) -> Bool {
        guard first >= 0, last < limit, first < last else { return false }
        return (first..<last).allSatisfy { tokens[$0].end == tokens[$0 + 1].start }
    }

    // MARK: Calendar

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar; nil for a date that
    /// does not exist (31 June, 29 February 2026) or a year outside 1 to 9999.
    static func days(_ date: Day) -> Int? {
        guard (1...9999).contains(date.year), (1...12).contains(date.month),
            (1...daysIn(month: date.month, year: date.year)).contains(date.day)
        else { return nil }
        let year = date.month <= 2 ? date.year - 1 : date.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * ((date.month + 9) % 12) + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The days of a month.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The weekday of a day counted from 1970-01-01 (a Thursday), 0 for Sunday.
    static func weekday(_ days: Int) -> Int {
        ((days % 7) + 7 + 4) % 7
    }

    /// The date of a day counted from 1970-01-01.
    static func day(_ days: Int) -> Day {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return Day(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// An instant as an editor reads it: `2026-12-08 05:00 UTC` (seconds when there are some).
    static func describe(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e14 else { return "\(date)" }
        let whole = Int(seconds.rounded(.down))
        let days = Int((Double(whole) / 86_400).rounded(.down))
        let rest = whole - days * 86_400
        let date = day(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(date.year)-\(two(date.month))-\(two(date.day)) \(two(rest / 3600)):\(two(rest / 60 % 60))"
        if rest % 60 != 0 { text += ":\(two(rest % 60))" }
        return text + " UTC"
    }
}

extension Array where Element == Token {
    /// The token at `index` when it is before `limit`.
    subscript(safe index: Int, _ limit: Int) -> Token? {
        index < limit && index < count ? self[index] : nil
    }
}
