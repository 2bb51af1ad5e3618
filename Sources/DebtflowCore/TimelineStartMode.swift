/// When the debt's timeline starts (the bulk-import API's `timeline_start_mode`).
public enum TimelineStartMode: String, Sendable, CaseIterable {
    case immediate
    case nextDay = "next_day"
}
