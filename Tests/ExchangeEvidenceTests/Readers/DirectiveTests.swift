@testable import ExchangeEvidence
import Foundation
import Testing

@Suite struct DirectiveTests {
    func directive(_ text: String) -> Directive? {
        Array(text.utf8).withUnsafeBytes { Directive($0) }
    }

    @Test func knownNamesMatchInAnyCase() {
        #expect(directive("#fIeLdS: a,b")?.name == "Fields")
        #expect(directive("# LOG-TYPE : HttpProxy Logs")?.name == "Log-type")
        #expect(directive("#Log-type: x")?.isKnown == true)
        // Only letters fold: a carriage return where the dash is, or a longer name, is no known name.
        #expect(directive("#Log\rtype: x")?.isKnown == false)
        #expect(directive("#Fieldsx: a")?.isKnown == false)
        #expect(directive("#Two words: a") == nil)
        // Non-ASCII names go through Foundation's Unicode case folding, as before.
        #expect(directive("#\u{FEFF}Fields: a")?.name == "Fields")
        // The byte comparison of ASCII names agrees with Foundation's on every known name and near misses.
        for raw in ["software", "VERSION", "log-Type", "date", "Start-date", "END-DATE", "remark", "Log_type", "Dates", "Fi3lds", "@ields"] {
            #expect(Directive.knownName(raw, ascii: true) == Directive.knownNames.first { $0.caseInsensitiveCompare(raw) == .orderedSame })
        }
    }

    @Test func fieldsInAHeadMatchesTheFullParse() {
        let lines = ["#Software: Microsoft Exchange Server", "#Version: 15.01", "# fields :  a,b,c ", "#FIELDS:x",
                     "#\u{FEFF}Fields: bom", "#Fiélds: accent", "#Fields", "#Date: 2021-03-03", "#Remark: Fields: no"]
        for line in lines {
            let bytes = Array(line.utf8)
            let full = bytes.withUnsafeBytes { Directive($0) }
            let cheap = bytes.withUnsafeBytes { Directive.mayBeFields($0) }
            if full?.name == "Fields" { #expect(cheap, "\(line)") }
        }
        let head = Array(lines.joined(separator: "\r\n").utf8)
        #expect(head.withUnsafeBytes { Directive.fields(in: $0) } == "a,b,c")
    }

    @Test func iisFieldListPrefix() {
        #expect(IISW3CReader.startsWithDateTime("date time s-ip cs-method"))
        #expect(IISW3CReader.startsWithDateTime("DATE TIME s-ip"))
        #expect(IISW3CReader.startsWithDateTime("Date Time "))
        #expect(!IISW3CReader.startsWithDateTime("date time"))
        #expect(!IISW3CReader.startsWithDateTime("DateTime,RequestId"))
        // A combining mark after the space makes another character: Swift's prefix test says no, and so do we.
        #expect(!IISW3CReader.startsWithDateTime("date time \u{301}s-ip"))
        #expect(IISW3CReader.startsWithDateTime("date time s-ip é") == "date time s-ip é".lowercased().hasPrefix("date time "))
    }
}
