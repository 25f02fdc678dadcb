using System.Text.RegularExpressions;

namespace Warden.Core.Contracts;

/// <summary>
/// Regular expressions from documents people write (graphs, suites): compiled with
/// <see cref="RegexOptions.NonBacktracking"/> so matching is linear in the text, with a timeout as a second fence.
/// Backreferences, lookarounds and atomic groups are refused when the document is parsed.
/// </summary>
public static class SafeRegex
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public static bool TryCreate(string pattern, out Regex? regex, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        regex = null;
        error = null;
        try
        {
            regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, Timeout);
            return true;
        }
        catch (NotSupportedException ex)
        {
            error = $"regex not supported without backtracking (no backreferences, lookarounds or atomic groups): {ex.Message}";
        }
        catch (ArgumentException ex)
        {
            error = $"bad regex: {ex.Message}";
        }

        return false;
    }

    /// <summary>For patterns already checked by a parser.</summary>
    public static Regex Create(string pattern) =>
        TryCreate(pattern, out var regex, out var error) ? regex! : throw new ArgumentException(error, nameof(pattern));
}
