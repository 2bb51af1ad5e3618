import DebtflowCore

/// `object` written by the tree writer and, as a `RecordView` of its tape, by the tape writer,
/// each as UTF-8 text: alone, or (`inside`) after a `null` in an array, with (`thenAString`) a
/// string written after it, over the bytes the record's last run may have copied past its end.
func writtenFromTreeAndTape(_ object: RecordObject, inside: Bool, thenAString: Bool) -> (tree: String, tape: String) {
    var fromTree = JSONByteWriter()
    var fromTape = JSONByteWriter()
    if inside {
        fromTree.beginArray(); fromTape.beginArray()
        fromTree.null(); fromTape.null()
    }
    fromTree.object(object)
    fromTape.value(RecordView(object))
    if inside {
        if thenAString { fromTree.string("after"); fromTape.string("after") }
        fromTree.endArray(); fromTape.endArray()
    }
    return (String(decoding: fromTree.bytes, as: UTF8.self), String(decoding: fromTape.bytes, as: UTF8.self))
}
