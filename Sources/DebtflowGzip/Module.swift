// DebtflowGzip: zlib streams (decoder for readers, encoder for sinks). See DESIGN.md §3.
import DebtflowCore
