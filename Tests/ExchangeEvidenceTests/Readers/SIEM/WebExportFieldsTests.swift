@testable import ExchangeEvidence
import Testing

/// The export → W3C field table is a data file users edit for their own tables and pipelines: it must read
/// cleanly as shipped, recognise records by its `@when` row, and name what it cannot read.
@Suite struct WebExportFieldsTests {
    @Test func shippedTableReadsCleanly() {
        #expect(WebExportFields.shipped.problems.isEmpty, "\(WebExportFields.shipped.problems)")
        #expect(WebExportFields.shipped.families.map(\.name) == ["sentinel", "ecs", "filebeat6"])
    }

    @Test func whenConditionsDecideTheExport() {
        let table = WebExportFields(parsing: "field\tmine\nx\n@when\tType=IIS|Web csUriStem\ncs-uri-stem\tcsUriStem\n")
        #expect(table.problems == ["mappings/web-export-fields.tsv:2: expected a field and 1 cells (names joined with |, or -), tab-separated"])
        let record: [String: String] = ["Type": "Web", "csUriStem": "/owa/"]
        #expect(table.family(of: { record[$0] })?.name == "mine")
        let other: [String: String] = ["Type": "Heartbeat", "csUriStem": "/owa/"]
        #expect(table.family(of: { other[$0] }) == nil, "a value the condition does not list")
        let noStem: [String: String] = ["Type": "Web", "csUriStem": ""]
        #expect(table.family(of: { noStem[$0] }) == nil, "a record without a request path is no request")
    }

    @Test func aTableWithoutItsHeaderIsNamed() {
        let table = WebExportFields(parsing: "cs-uri-stem\tcsUriStem\n")
        #expect(table.families.isEmpty)
        #expect(table.problems.first?.hasPrefix("mappings/web-export-fields.tsv:1: expected the header") == true)
    }
}
