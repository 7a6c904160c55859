using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// Renders a <see cref="HostileResult"/>: the run's numbers (time, exit codes, allocation per command), then the
/// violations grouped by cause (command, rule, first stderr line with the file name and the numbers blanked out),
/// each with one example case described exactly and, for an internal error, the top frames of its stack (the
/// example is run again with <c>--log-file</c>, whose structured log carries the exception), then a table of
/// violations by mutation kind and command.
/// </summary>
internal static partial class HostileReport
{
    /// <summary>How many cause groups the report lists in full.</summary>
    public const int MaxGroups = 60;

    public static string Render(HostileResult r, IReadOnlyList<HostileCommand> commands, long peakWorkingSetBytes, TimeSpan processorTime)
    {
        var s = new StringBuilder();
        s.AppendLine(Inv($"Hostile-input suite: seed {r.Seed}, {r.Completed} of {r.Count} cases completed from {r.Seeds.Count} seed models in {r.Elapsed.TotalSeconds:0.0} s"));
        s.AppendLine("Commands: " + string.Join(" | ", commands.Select(c => string.Join(' ', c.Arguments(["FILE"])))));
        s.AppendLine(Inv($"Peak working set of the test process: {peakWorkingSetBytes >> 20} MiB; CPU time of the test process during the suite: {processorTime.TotalSeconds:0.0} s"));
        if (r.StoppedOnHangs)
        {
            s.AppendLine(Inv($"STOPPED after {HostileRunner.MaxHangs} hangs: the cases after them were not run."));
        }
        s.AppendLine();
        s.AppendLine("| command | runs | mean ms | max ms | max allocated MiB | exit codes |");
        s.AppendLine("|---|---|---|---|---|---|");
        foreach ((string label, CommandStats st) in r.Stats.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string exits = string.Join(", ", st.ExitCodes.Select(kv => Inv($"{kv.Key}: {kv.Value}")));
            s.AppendLine(Inv($"| {label} | {st.Runs} | {st.Total.TotalMilliseconds / st.Runs:0.0} | {st.Max.TotalMilliseconds:0} | {st.MaxAllocatedBytes / 1048576.0:0.0} | {exits} |"));
        }
        s.AppendLine();
        s.AppendLine("Mutation kinds: " + string.Join(", ", r.Kinds.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Inv($"{kv.Key} {kv.Value}"))));
        s.AppendLine();

        int failingCases = r.Violations.Select(v => v.Case.Index).Distinct().Count();
        s.AppendLine(Inv($"Violations: {r.Violations.Count} in {failingCases} cases"));
        if (r.Violations.Count == 0)
        {
            return s.ToString();
        }

        var groups = r.Violations
            .GroupBy(v => (v.Command, v.Rule, Message: Normalize(v.Message, v.Arguments)))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Command, StringComparer.Ordinal).ThenBy(g => g.Key.Message, StringComparer.Ordinal)
            .ToList();
        s.AppendLine();
        s.AppendLine(Inv($"By cause ({groups.Count} groups):"));
        s.AppendLine("| # | command | rule | count | mutation kinds | first stderr line / problem (file and numbers blanked) |");
        s.AppendLine("|---|---|---|---|---|---|");
        int n = 0;
        foreach (var g in groups.Take(MaxGroups))
        {
            n++;
            string groupKinds = string.Join(", ", g.GroupBy(v => v.Case.Kind).OrderByDescending(k => k.Count()).Select(k => Inv($"{k.Key} {k.Count()}")));
            s.AppendLine(Inv($"| {n} | {g.Key.Command} | {g.Key.Rule} | {g.Count()} | {groupKinds} | {Cell(g.Key.Message)} |"));
        }
        if (groups.Count > MaxGroups)
        {
            s.AppendLine(Inv($"| … | {groups.Count - MaxGroups} more groups | | {groups.Skip(MaxGroups).Sum(g => g.Count())} | | |"));
        }

        s.AppendLine();
        s.AppendLine("Examples (one per group; HostileModels.Make(seed, case, seeds) rebuilds a case alone):");
        n = 0;
        foreach (var g in groups.Take(MaxGroups))
        {
            n++;
            Violation v = g.First();
            s.AppendLine(Inv($"[{n}] case {v.Case.Index} ({v.Case.Kind}, seed {v.Case.Seed}): {v.Case.Detail}"));
            s.AppendLine(Inv($"    {v.Command} -> exit {v.ExitCode}: {v.Message}"));
            if (v.ExitCode == 3)
            {
                foreach (string frame in StackOf(v))
                {
                    s.AppendLine("      " + frame);
                }
            }
        }

        s.AppendLine();
        s.AppendLine("By mutation kind and command (violating cases):");
        string[] labels = [.. commands.Select(c => c.Label), "(all)"];
        s.AppendLine("| kind | cases | " + string.Join(" | ", labels) + " |");
        s.AppendLine("|---|---|" + string.Concat(labels.Select(_ => "---|")));
        foreach (var kind in r.Violations.GroupBy(v => v.Case.Kind).OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            int total = r.Kinds.GetValueOrDefault(kind.Key);
            IEnumerable<string> cells = labels.Select(l => kind.Where(v => v.Command == l).Select(v => v.Case.Index).Distinct().Count()
                .ToString(CultureInfo.InvariantCulture));
            s.AppendLine(Inv($"| {kind.Key} | {total} | ") + string.Join(" | ", cells) + " |");
        }
        return s.ToString();
    }

    /// <summary>The message with the file's path replaced by FILE and every number by N (so that one cause is one group).</summary>
    internal static string Normalize(string message, string[] arguments)
    {
        string text = message;
        if (arguments.Length > 1)
        {
            text = text.Replace(arguments[1], "FILE", StringComparison.Ordinal);
        }
        text = Number().Replace(text, "N");
        return text.Length > 160 ? text[..160] + "…" : text;
    }

    /// <summary>Runs the example again with a structured log and returns the top frames of the logged exception.</summary>
    private static IEnumerable<string> StackOf(Violation v)
    {
        string? dir = null;
        try
        {
            dir = Path.Combine(Path.GetTempPath(), "perfsage-hostile-stack-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, v.Case.Name);
            File.WriteAllBytes(file, v.Case.Bytes);
            string log = Path.Combine(dir, "log.json");
            string[] args = [.. v.Arguments.Select(a => a == v.Arguments[1] ? file : a), "--log-file", log];
            CliRunner.Run(args);
            foreach (string line in File.ReadLines(log))
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("@x", out JsonElement x) && x.GetString() is { } exception)
                {
                    string[] lines = exception.Split('\n');
                    return [lines[0].Trim(), .. lines.Where(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).Take(6).Select(l => l.Trim())];
                }
            }
            return ["(no exception in the log)"];
        }
#pragma warning disable CA1031 // the report must not fail on its own diagnostics
        catch (Exception e)
#pragma warning restore CA1031
        {
            return [$"(could not get the stack: {e.GetType().Name}: {e.Message})"];
        }
        finally
        {
            if (dir is not null && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex Number();
}
