extension BoundedChannel: AsyncSequence {
    /// Iterates the channel's elements as they are sent (``BoundedChannel/next()``), until the
    /// producer finishes it. Single consumer: make one iterator per channel.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel

        public mutating func next() async throws -> Element? {
            try await channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: self)
    }
}
