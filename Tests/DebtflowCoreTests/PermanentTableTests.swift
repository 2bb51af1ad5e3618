import DebtflowCore
import Testing

/// The tables kept for the process (``PermanentTable``: the phone metadata's, the debt writer's
/// member heads): the elements given, in order, at addresses that do not move, shared by every
/// copy; reading outside them stops the program.
@Suite("Permanent tables: arrays kept for the process without reference counting")
struct PermanentTableTests {
    @Test("a table holds the elements it was made from, in order, and counts them")
    func holdsItsElements() {
        let values: [Int32] = [7, -1, 0, 42, Int32.max]
        let table = PermanentTable(values)
        #expect(table.count == values.count)
        #expect(Array(table) == values)
        #expect(table.first == 7 && table.last == Int32.max)
        #expect(table.contains(42) && !table.contains(3))
        let strings = PermanentTable(["FR", "GP", "001"])
        #expect(Array(strings) == ["FR", "GP", "001"])
    }

    @Test("an empty table has no elements")
    func emptyTable() {
        let table = PermanentTable([UInt8]())
        #expect(table.isEmpty)
        #expect(table.first == nil)
        #expect(Array(table) == [])
    }

    @Test("an element's address holds the element, and a copy of the table has the same addresses")
    func addressesAreShared() {
        let table = PermanentTable([10, 20, 30])
        let copy = table
        for index in 0..<table.count {
            #expect(table.address(of: index).pointee == table[index])
            #expect(copy.address(of: index) == table.address(of: index))
        }
    }

    @Test("reading past the end stops the program instead of reading other memory")
    func readingPastTheEndTraps() async {
        await #expect(processExitsWith: .failure) {
            let table = PermanentTable([1, 2, 3])
            _ = table[3]
        }
        await #expect(processExitsWith: .failure) {
            _ = PermanentTable([1, 2, 3]).address(of: -1)
        }
    }
}
