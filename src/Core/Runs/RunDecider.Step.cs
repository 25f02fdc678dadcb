using System.Globalization;

namespace Warden.Core.Runs;

public sealed partial class RunDecider
{
    /// <summary>The working copy of one decision: the cloned state plus what it asks for.</summary>
    private sealed class Step(RunState state, DateTimeOffset now)
    {
        private readonly List<TimelineEntry> _timeline = [];

        public RunState State { get; } = state;

        public DateTimeOffset Now { get; } = now;

        public List<RunCommand> Commands { get; } = [];

        public string? RejectionCode { get; private set; }

        public string? RejectionMessage { get; private set; }

        public void Log(string type, string? nodeId = null, int? attempt = null, IReadOnlyDictionary<string, string>? data = null) =>
            _timeline.Add(new TimelineEntry(type, Now, nodeId, attempt, data));

        public Outcome Reject(string code, string message)
        {
            RejectionCode = code;
            RejectionMessage = message;
            return Outcome.Rejected;
        }

        public Decision ToDecision()
        {
            State.UpdatedAt = Now;
            if (_timeline.Count > 0)
            {
                Commands.Add(new AppendTimeline(_timeline));
            }

            return new Decision(State, Commands);
        }
    }

    /// <summary>Timer tags name what a timer is for: kind:node:visit[:attempt].</summary>
    internal static class Tags
    {
        public const string Retry = "retry";
        public const string Timeout = "timeout";
        public const string Deadline = "deadline";
        public const string Admit = "admit";

        public static string ForAdmit(string nodeId, int visit, int attempt) => $"{Admit}:{nodeId}:{visit}:{attempt}";

        public static string ForRetry(string nodeId, int visit, int attempt) => $"{Retry}:{nodeId}:{visit}:{attempt}";

        public static string ForTimeout(string nodeId, int visit, int attempt) => $"{Timeout}:{nodeId}:{visit}:{attempt}";

        public static string ForDeadline(string nodeId, int visit) => $"{Deadline}:{nodeId}:{visit}";

        public static bool TryParse(string tag, out string kind, out string nodeId, out int visit, out int attempt)
        {
            var parts = tag.Split(':');
            kind = parts[0];
            nodeId = parts.Length > 1 ? parts[1] : string.Empty;
            visit = 0;
            attempt = 0;
            return parts.Length is 3 or 4
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out visit)
                && (parts.Length == 3 || int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out attempt));
        }
    }
}
