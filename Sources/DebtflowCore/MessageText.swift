/// Record error messages that name a value (`calls to CH are not supported …`), written in one
/// piece: the parts' bytes copied into one new string. (An interpolation of the same text makes
/// and grows several strings: about a thousand instructions per message, and W2 has such a
/// message on about one record in twenty.)
public enum MessageText {
    /// `first`, `second`, `third` and `fourth` joined.
    public static func joined(_ first: String, _ second: StaticString, _ third: String, _ fourth: StaticString) -> String {
        var first = first, third = third
        return first.withUTF8 { first in
            third.withUTF8 { third in
                let second = UnsafeBufferPointer(start: second.utf8Start, count: second.utf8CodeUnitCount)
                let fourth = UnsafeBufferPointer(start: fourth.utf8Start, count: fourth.utf8CodeUnitCount)
                return String(unsafeUninitializedCapacity: first.count + second.count + third.count + fourth.count) { buffer in
                    var count = buffer.initialize(fromContentsOf: first)
                    count += UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: second)
                    count += UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: third)
                    count += UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: fourth)
                    return count
                }
            }
        }
    }

    /// `first`, `second` and `third` joined.
    public static func joined(_ first: StaticString, _ second: String, _ third: StaticString) -> String {
        joined("", first, second, third)
    }
}
