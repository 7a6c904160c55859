using System.Text.RegularExpressions;

namespace PerfSage.Dataset;

/// <summary>What a target name in a dataset may look like.</summary>
public static partial class TargetNames
{
    /// <summary>True when <paramref name="name"/> can name a target: letters, digits, '.', '_' and '-', starting
    /// with a letter or digit (so it is safe in CSV, file names and command lines).</summary>
    public static bool IsValid(string name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Pattern();
}
