using System.Text.RegularExpressions;

namespace PerfSage;

/// <summary>
/// The one rule for a target's name, wherever it is written: catalog ids, imported device columns,
/// <c>--target</c>/<c>--new-target</c>, <c>labels.csv</c>, head keys. Letters, digits, '_' and '-', starting
/// with a letter or digit, at most <see cref="MaxLength"/> characters: safe in CSV, file names and command
/// lines, and free of '/' and '.', which separate the parts of head keys (<c>cortex-m7/latency_ms</c>) and of
/// parameter names in a model's weights.
/// </summary>
public static partial class TargetName
{
    /// <summary>Longest name accepted, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The rule in words, for messages.</summary>
    public const string Rule = "letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters";

    /// <summary>True when <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid(string? name) => name is not null && name.Length <= MaxLength && Pattern().IsMatch(name);

    /// <summary>Null when <paramref name="name"/> follows the rule; otherwise why not, as one clause naming it
    /// (cut to 80 characters).</summary>
    public static string? Problem(string? name) => IsValid(name) ? null
        : $"target '{Limits.Echo(name ?? "")}' is not a valid target name ({Rule})";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
