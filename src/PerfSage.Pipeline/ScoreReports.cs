using System.Globalization;
using System.Text;
using System.Xml;
using PerfSage.IO;

namespace PerfSage.Pipeline;

/// <summary>
/// What <c>perfsage score</c> tells a CI system, built from its <see cref="ScoreRow"/>s: a JUnit XML report, GitHub
/// Actions error annotations and a Markdown job summary. A row is a test case; a row over budget is a failure; a row
/// whose model could not be scored (unreadable file, implausible prediction) is an error; every other row passes.
/// </summary>
public static class ScoreReports
{
    /// <summary>The environment variable GitHub Actions sets to <c>true</c> on its runners.</summary>
    public const string GitHubActionsVariable = "GITHUB_ACTIONS";

    /// <summary>The environment variable naming the file a GitHub Actions step appends its Markdown job summary to.</summary>
    public const string StepSummaryVariable = "GITHUB_STEP_SUMMARY";

    /// <summary>Rows listed in the Markdown summary at most (GitHub takes at most 1 MiB of summary per step).</summary>
    public const int MaxSummaryRows = 50;

    /// <summary>True for a row whose model could not be scored (its status starts with <c>error</c>).</summary>
    public static bool IsError(ScoreRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Status.StartsWith("error", StringComparison.Ordinal);
    }

    /// <summary>True for a row whose prediction breaks at least one budget.</summary>
    public static bool IsOverBudget(ScoreRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Violations.Count > 0;
    }

    /// <summary>
    /// Writes the JUnit XML report of <paramref name="rows"/> to <paramref name="stream"/> (UTF-8, no byte-order mark,
    /// two-space indents, <c>\n</c> line ends): one <c>testsuite</c> per target in <paramref name="targets"/>' order,
    /// inside one <c>testsuites</c>; one <c>testcase</c> per row in input order, with a <c>failure</c> for a budget
    /// violation and an <c>error</c> for a model that could not be scored.
    /// </summary>
    /// <remarks>
    /// The schema is the de-facto one of Apache Ant's JUnit task as CI servers read it: the Jenkins JUnit plugin's
    /// <c>junit-4.xsd</c> (dtkit-junit-model, also shipped with the junit-report crate and pytest as
    /// <c>junit-10.xsd</c>) and the Ant schema published by Windy Road: <c>testsuites</c> ⊃ <c>testsuite</c>
    /// (<c>name</c>, <c>tests</c>, <c>failures</c>, <c>errors</c>, <c>skipped</c>) ⊃ <c>testcase</c> (<c>name</c>,
    /// <c>classname</c>) ⊃ at most one <c>failure</c> or <c>error</c> (<c>message</c>, <c>type</c>, text). GitLab's
    /// unit-test reports and the GitHub JUnit report actions read the same elements. No <c>time</c> or
    /// <c>timestamp</c> is written (both are optional), so the report of the same rows is the same bytes.
    /// <para><c>classname</c> is the target and <c>name</c> the model path: reporters group test cases by
    /// <c>classname</c> and Jenkins splits it at its last <c>.</c> into package and class, which a target name never
    /// holds (<see cref="TargetName"/>) and a path such as <c>models/kws.tflite</c> does.</para>
    /// </remarks>
    public static void WriteJUnit(Stream stream, IReadOnlyList<ScoreRow> rows, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(targets);
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        CultureInfo inv = CultureInfo.InvariantCulture;
        using (XmlWriter xml = XmlWriter.Create(stream, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "perfsage score");
            WriteCounts(xml, rows);
            foreach (string target in targets)
            {
                List<ScoreRow> suite = rows.Where(r => string.Equals(r.Target, target, StringComparison.Ordinal)).ToList();
                xml.WriteStartElement("testsuite");
                xml.WriteAttributeString("name", XmlText(target));
                WriteCounts(xml, suite);
                xml.WriteAttributeString("skipped", "0");
                foreach (ScoreRow row in suite)
                {
                    xml.WriteStartElement("testcase");
                    xml.WriteAttributeString("name", XmlText(row.Model));
                    xml.WriteAttributeString("classname", XmlText(row.Target));
                    if (IsError(row))
                    {
                        string message = ErrorMessage(row);
                        xml.WriteStartElement("error");
                        xml.WriteAttributeString("message", XmlText(message));
                        xml.WriteAttributeString("type", "unscored");
                        xml.WriteString(XmlText(message));
                        xml.WriteEndElement();
                    }
                    else if (IsOverBudget(row))
                    {
                        xml.WriteStartElement("failure");
                        xml.WriteAttributeString("message", XmlText(string.Join("; ", row.Violations)));
                        xml.WriteAttributeString("type", "budget");
                        xml.WriteString(XmlText(string.Join("\n", row.Violations)));
                        xml.WriteEndElement();
                    }
                    xml.WriteEndElement();
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }
        stream.Write("\n"u8);

        void WriteCounts(XmlWriter xml, IReadOnlyList<ScoreRow> some)
        {
            xml.WriteAttributeString("tests", some.Count.ToString(inv));
            xml.WriteAttributeString("failures", some.Count(IsOverBudget).ToString(inv));
            xml.WriteAttributeString("errors", some.Count(IsError).ToString(inv));
        }
    }

    /// <summary>
    /// The GitHub Actions workflow commands that annotate each row over budget or in error:
    /// <c>::error file=PATH,title=TITLE::MESSAGE</c>, one line per row, in row order.
    /// </summary>
    /// <remarks>The syntax and its escaping follow GitHub's "Workflow commands for GitHub Actions" and the runner
    /// toolkit that writes them (<c>actions/toolkit</c>, <c>packages/core/src/command.ts</c>: <c>escapeData</c>
    /// turns <c>%</c>, CR and LF into <c>%25</c>, <c>%0D</c>, <c>%0A</c> in the message; <c>escapeProperty</c> also
    /// turns <c>:</c> and <c>,</c> into <c>%3A</c> and <c>%2C</c> in <c>file</c> and <c>title</c>). GitHub shows at most
    /// 10 error annotations per step and 50 per job (<c>actions/toolkit</c>, <c>docs/problem-matchers.md</c>,
    /// "Limitations"); every row is still written, so the rest stay readable in the step's log.</remarks>
    public static IReadOnlyList<string> GitHubAnnotations(IReadOnlyList<ScoreRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lines = new List<string>();
        foreach (ScoreRow row in rows)
        {
            string title;
            string message;
            if (IsError(row))
            {
                title = $"perfsage: cannot score on {row.Target}";
                message = ErrorMessage(row);
            }
            else if (IsOverBudget(row))
            {
                title = $"perfsage: over budget on {row.Target}";
                message = $"{row.Model} on {row.Target}: {string.Join("; ", row.Violations)}";
            }
            else
            {
                continue;
            }
            lines.Add($"::error file={EscapeProperty(row.Model)},title={EscapeProperty(title)}::{EscapeData(message)}");
        }
        return lines;
    }

    /// <summary>
    /// The Markdown job summary of a score: a heading, the counts, the budgets, and a table of the rows over budget or
    /// in error (at most <see cref="MaxSummaryRows"/>, then how many more). Ends with a blank line, so that summaries
    /// appended one after another stay apart.
    /// </summary>
    public static string MarkdownSummary(IReadOnlyList<ScoreRow> rows, IReadOnlyList<string> targets, IReadOnlyList<Budget> budgets)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(budgets);
        CultureInfo inv = CultureInfo.InvariantCulture;
        int errors = rows.Count(IsError);
        int over = rows.Count(IsOverBudget);
        int models = rows.Select(r => r.Model).Distinct(StringComparer.Ordinal).Count();
        var md = new StringBuilder();
        md.Append("### perfsage score\n\n");
        md.Append(string.Create(inv,
            $"{models} model(s) on {targets.Count} target(s) ({Cell(string.Join(", ", targets))}): "
            + $"**{rows.Count - errors - over} ok**, **{over} over budget**, **{errors} error(s)**.\n"));
        md.Append(budgets.Count == 0
            ? "\nNo budget was given.\n"
            : "\nBudgets: " + string.Join(", ", budgets.Select(b => "`" + b + "`")) + ".\n");
        List<ScoreRow> problems = rows.Where(r => IsError(r) || IsOverBudget(r)).ToList();
        if (problems.Count > 0)
        {
            md.Append("\n| model | target | result |\n| --- | --- | --- |\n");
            foreach (ScoreRow row in problems.Take(MaxSummaryRows))
            {
                string result = IsError(row) ? "error: " + ErrorMessage(row) : "over budget: " + string.Join("; ", row.Violations);
                md.Append($"| {Cell(row.Model)} | {Cell(row.Target)} | {Cell(result)} |\n");
            }
            if (problems.Count > MaxSummaryRows)
            {
                md.Append(string.Create(inv, $"\n… and {problems.Count - MaxSummaryRows} more row(s) over budget or in error.\n"));
            }
        }
        md.Append('\n');
        return md.ToString();
    }

    /// <summary>
    /// Tells GitHub Actions about a score, as the environment asks: when <see cref="GitHubActionsVariable"/> is
    /// <c>true</c>, writes <see cref="GitHubAnnotations"/> to <paramref name="commands"/>; when
    /// <see cref="StepSummaryVariable"/> names a file, appends <see cref="MarkdownSummary"/> to it
    /// (<see cref="AppendStepSummary"/>). The environment is read only through <paramref name="environment"/>.
    /// </summary>
    /// <param name="rows">The rows.</param>
    /// <param name="targets">The targets scored.</param>
    /// <param name="budgets">The budgets checked.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="commands">Where workflow commands go (the runner reads them from stdout and stderr).</param>
    /// <param name="others">Files the command reads or writes, which the summary may not be appended to.</param>
    public static void PublishToGitHub(IReadOnlyList<ScoreRow> rows, IReadOnlyList<string> targets, IReadOnlyList<Budget> budgets,
        Func<string, string?> environment, TextWriter commands, IEnumerable<string> others)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(commands);
        if (environment(GitHubActionsVariable) == "true")
        {
            foreach (string line in GitHubAnnotations(rows))
            {
                commands.Write(line);
                commands.Write('\n');
            }
        }
        if (StepSummaryPath(environment) is string summary)
        {
            AppendStepSummary(summary, MarkdownSummary(rows, targets, budgets), others);
        }
    }

    /// <summary>The file named by <see cref="StepSummaryVariable"/>, or null when it is unset or empty.</summary>
    public static string? StepSummaryPath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? path = environment(StepSummaryVariable);
        return string.IsNullOrEmpty(path) ? null : path;
    }

    /// <summary>
    /// Checks the step-summary file before any work: a regular file (links followed) or a new one in an existing
    /// folder, and none of <paramref name="others"/>. A device, a named pipe, a socket or a folder is refused with a
    /// <see cref="UserInputException"/> (PerfSage never writes through a device, and appending to a pipe can block).
    /// </summary>
    public static void CheckStepSummary(string path, IEnumerable<string> others)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(others);
        string full = Path.GetFullPath(path);
        FileStatus status = FileProbe.Stat(full, followLinks: true);
        if (status.Kind is not (FileKind.Regular or FileKind.Missing))
        {
            throw new UserInputException(
                $"{path}: is {status.Kind.Describe()}; {StepSummaryVariable} must name a regular file or a new one (PerfSage appends its summary to it)");
        }
        string? folder = Path.GetDirectoryName(full);
        if (status.Kind == FileKind.Missing && (folder is null || FileProbe.Stat(folder, followLinks: true).Kind != FileKind.Directory))
        {
            throw new UserInputException($"{path}: the folder {folder ?? "/"} does not exist; {StepSummaryVariable} must name a file in an existing folder");
        }
        foreach (string other in others)
        {
            if (other.Contains('\0', StringComparison.Ordinal))
            {
                continue; // a name no file can have (a list's line), so not this one
            }
            if (string.Equals(Path.GetFullPath(other), full, StringComparison.Ordinal)
                || (status.Kind == FileKind.Regular && status.IsSameFile(FileProbe.Stat(other, followLinks: true))))
            {
                throw new UserInputException($"{path}: is also {other}, which this command reads or writes; {StepSummaryVariable} must name another file");
            }
        }
    }

    /// <summary>Appends <paramref name="markdown"/> (UTF-8) to the step-summary file after <see cref="CheckStepSummary"/>:
    /// never truncates it, never writes through a device or a pipe.</summary>
    public static void AppendStepSummary(string path, string markdown, IEnumerable<string> others)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        CheckStepSummary(path, others);
        try
        {
            using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            file.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(markdown));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{path}: cannot append the summary ({StepSummaryVariable}): {e.Message}", e);
        }
    }

    /// <summary>GitHub's <c>escapeData</c>: the message of a workflow command.</summary>
    internal static string EscapeData(string text) =>
        text.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>GitHub's <c>escapeProperty</c>: a property value of a workflow command.</summary>
    internal static string EscapeProperty(string text) =>
        EscapeData(text).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>The error row's message: its status without the leading <c>error: </c>.</summary>
    private static string ErrorMessage(ScoreRow row) =>
        row.Status.StartsWith("error: ", StringComparison.Ordinal) ? row.Status["error: ".Length..] : row.Status;

    /// <summary>XML 1.0 cannot hold every character a file name can (control characters, lone surrogates): those
    /// become U+FFFD, as a name that is not UTF-8 already does.</summary>
    private static string XmlText(string text)
    {
        StringBuilder? clean = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (XmlConvert.IsXmlChar(c))
            {
                clean?.Append(c);
                continue;
            }
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                clean?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            clean ??= new StringBuilder(text, 0, i, text.Length);
            clean.Append('\uFFFD');
        }
        return clean?.ToString() ?? text;
    }

    /// <summary>A Markdown table cell: one line, with the characters Markdown or HTML would read backslash-escaped
    /// (GitHub Flavored Markdown lets any ASCII punctuation be escaped so).</summary>
    private static string Cell(string text)
    {
        var cell = new StringBuilder(text.Length + 8);
        foreach (char c in text.ReplaceLineEndings(" "))
        {
            if (c is '\\' or '|' or '`' or '*' or '[' or ']' or '<' or '>' or '&' or '~' or '!' or '#')
            {
                cell.Append('\\');
            }
            cell.Append(char.IsControl(c) ? '\uFFFD' : c);
        }
        return cell.ToString();
    }
}
