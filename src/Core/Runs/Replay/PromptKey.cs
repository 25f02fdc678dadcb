using System.Security.Cryptography;
using System.Text;

namespace Warden.Core.Runs.Replay;

/// <summary>
/// The key a recorded response is found by: a SHA-256 of the prompt as the decider rendered it. The run's own id is
/// replaced first, so a prompt that names its run still matches the same prompt of another run.
/// </summary>
public static class PromptKey
{
    private const string RunIdPlaceholder = "{{run.id}}";

    public static string Hash(string prompt, string runId)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var normalized = string.IsNullOrEmpty(runId) ? prompt : prompt.Replace(runId, RunIdPlaceholder, StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }
}
