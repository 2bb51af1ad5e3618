import DebtflowCore
import Testing

/// `reverseByMoving()` then `popLast()`: each element taken in order as a value of its own,
/// moved, never copied (a copy would hold a second reference).
@Suite("Moving elements out of an array")
struct ArrayMovingTests {
    private final class Item {
        let number: Int
        init(_ number: Int) { self.number = number }
    }

    @Test("reversing by moving gives reverse() order, at every length", arguments: [0, 1, 2, 3, 6, 7])
    func reverses(count: Int) {
        var items = (0..<count).map(Item.init)
        items.reverseByMoving()
        #expect(items.map(\.number) == Array((0..<count).reversed()))
    }

    @Test("popped after the reversal, each element comes in order and is the only reference to its object")
    func popsInOrderUniquely() {
        var items = (0..<9).map(Item.init)
        items.reverseByMoving()
        var seen: [Int] = []
        while var item = items.popLast() {
            #expect(isKnownUniquelyReferenced(&item))
            seen.append(item.number)
        }
        #expect(seen == Array(0..<9))
    }
}
