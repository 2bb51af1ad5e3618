/// Looks at every read of a ``ReadAheadByteSource`` on its read-ahead thread, before the read is
/// handed out: work on the raw bytes (such as ``XMLAttributeFloodInspector``) done there instead
/// of on the thread that parses them.
///
/// The inspector sees each read once, in order, whole (never the end of the input's empty read).
/// An error it throws takes that read's place: the reader gets every read before it, then the
/// error, exactly as for an error of the source, and the source is not read any further. So no
/// byte of a refused read ever reaches the reader. An inspector is owned by the read-ahead thread
/// from the first read on; its state lasts from one read to the next.
protocol ByteBlockInspector: Sendable {
    /// Inspects the next read of the source (never empty).
    /// - Throws: the reason this read must not be handed out; the read-ahead stops there.
    mutating func inspect(_ block: UnsafeRawBufferPointer) throws
}
