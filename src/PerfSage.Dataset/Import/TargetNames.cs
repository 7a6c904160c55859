using System.Text.RegularExpressions;

namespace PerfSage.Dataset;

/// <summary>What a target name in a dataset may look like.</summary>
public static partial class TargetNames
{
    /// <summary>Longest target name accepted, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>What a valid name is, for messages.</summary>
    public const string Rule = "letters, digits, '.', '_', '-', at most 64 characters";

    /// <summary>True when <paramref name="name"/> can name a target: letters, digits, '.', '_' and '-', starting
    /// with a letter or digit, at most <see cref="MaxLength"/> characters (so it is safe in CSV, file names and
    /// command lines).</summary>
    public static bool IsValid(string name) => name is not null && name.Length <= MaxLength && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Pattern();
}
