namespace Warden.Core.Runs.Replay;

/// <summary>
/// A recording's responses by (node, visit, prompt hash). The visit keeps the order of a loop: the third pass through
/// a node is answered with what its third pass received, if its prompt is the same.
/// </summary>
public sealed class RecordingIndex
{
    private readonly Dictionary<(string Node, int Visit, string Hash), RecordedCall> _calls = [];

    public RecordingIndex(Recording recording)
    {
        ArgumentNullException.ThrowIfNull(recording);
        Recording = recording;
        foreach (var call in recording.Calls)
        {
            // The last successful attempt of a visit is what the run went on with.
            _calls[(call.Node, call.Visit, call.PromptHash)] = call;
        }
    }

    public Recording Recording { get; }

    public RecordedCall? Find(string nodeId, int visit, string promptHash) =>
        _calls.GetValueOrDefault((nodeId, visit, promptHash));

    public RecordedCall? Find(NodeInvocation invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return Find(invocation.NodeId, invocation.Visit, PromptKey.Hash(invocation.Prompt, invocation.RunId));
    }
}
