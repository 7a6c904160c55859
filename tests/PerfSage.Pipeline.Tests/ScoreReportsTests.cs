using System.Text;
using PerfSage.Model;
using PerfSage.Tests.Common;

namespace PerfSage.Pipeline.Tests;

/// <summary>The CI outputs of <c>score</c> for three rows written by hand: one within budget, one over two budgets (its
/// path holds the characters GitHub's properties and XML escape), one that could not be scored (its message holds a
/// <c>%</c>). The expected reports are written out by hand from the formats' documents.</summary>
public class ScoreReportsTests
{
    private const string OverPath = "models/kws, v2: <big>.tflite";

    private static readonly ScoreRow[] Rows =
    [
        new("models/ok.tflite", "cortex-m7", "00", Predicted(12.5, 100), null, "ok", []),
        new(OverPath, "cortex-m7", "11", Predicted(23.1, 300), null,
            "over budget: latency_ms 23.1 > 20; peak_ram_kb 300 > 256", ["latency_ms 23.1 > 20", "peak_ram_kb 300 > 256"]),
        new("models/broken.tflite", "ethos-u55-128", null, null, null,
            "error: models/broken.tflite: 100% of the buffer lies outside the file", []),
    ];

    private static readonly string[] Targets = ["cortex-m7", "ethos-u55-128"];

    private static readonly Budget[] Budgets = [Budget.Parse("latency_ms<=20"), Budget.Parse("peak_ram_kb<=256")];

    private static Prediction Predicted(double latencyMs, double peakRamKb) =>
        new() { Target = "cortex-m7", LatencyMs = latencyMs, PeakRamKb = peakRamKb, Warnings = [] };

    private const string ExpectedJUnit = """
        <?xml version="1.0" encoding="utf-8"?>
        <testsuites name="perfsage score" tests="3" failures="1" errors="1">
          <testsuite name="cortex-m7" tests="2" failures="1" errors="0" skipped="0">
            <testcase name="models/ok.tflite" classname="cortex-m7" />
            <testcase name="models/kws, v2: &lt;big&gt;.tflite" classname="cortex-m7">
              <failure message="latency_ms 23.1 &gt; 20; peak_ram_kb 300 &gt; 256" type="budget">latency_ms 23.1 &gt; 20
        peak_ram_kb 300 &gt; 256</failure>
            </testcase>
          </testsuite>
          <testsuite name="ethos-u55-128" tests="1" failures="0" errors="1" skipped="0">
            <testcase name="models/broken.tflite" classname="ethos-u55-128">
              <error message="models/broken.tflite: 100% of the buffer lies outside the file" type="unscored">models/broken.tflite: 100% of the buffer lies outside the file</error>
            </testcase>
          </testsuite>
        </testsuites>

        """;

    private const string ExpectedSummary = """
        ### perfsage score

        3 model(s) on 2 target(s) (cortex-m7, ethos-u55-128): **1 ok**, **1 over budget**, **1 error(s)**.

        Budgets: `latency_ms<=20`, `peak_ram_kb<=256`.

        | model | target | result |
        | --- | --- | --- |
        | models/kws, v2: \<big\>.tflite | cortex-m7 | over budget: latency_ms 23.1 \> 20; peak_ram_kb 300 \> 256 |
        | models/broken.tflite | ethos-u55-128 | error: models/broken.tflite: 100% of the buffer lies outside the file |


        """;

    private static readonly string[] ExpectedAnnotations =
    [
        "::error file=models/kws%2C v2%3A <big>.tflite,title=perfsage%3A over budget on cortex-m7"
            + "::models/kws, v2: <big>.tflite on cortex-m7: latency_ms 23.1 > 20; peak_ram_kb 300 > 256",
        "::error file=models/broken.tflite,title=perfsage%3A cannot score on ethos-u55-128"
            + "::models/broken.tflite: 100%25 of the buffer lies outside the file",
    ];

    private static string JUnit(IReadOnlyList<ScoreRow> rows, IReadOnlyList<string> targets)
    {
        using var stream = new MemoryStream();
        ScoreReports.WriteJUnit(stream, rows, targets);
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(stream.ToArray());
    }

    [Fact]
    public void The_junit_report_has_a_suite_per_target_a_case_per_row_a_failure_per_violation_and_an_error_per_unscored_row()
    {
        byte[] bytes;
        using (var stream = new MemoryStream())
        {
            ScoreReports.WriteJUnit(stream, Rows, Targets);
            bytes = stream.ToArray();
        }
        Assert.NotEqual(0xEF, bytes[0]); // no byte-order mark
        Assert.Equal(ExpectedJUnit.ReplaceLineEndings("\n"), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Characters_xml_cannot_hold_become_replacement_characters_and_no_rows_give_empty_suites()
    {
        ScoreRow odd = new("models/a\u0001b\uD800.tflite", "cortex-m7", null, null, null, "error: bad\u0007", []);
        string xml = JUnit([odd], ["cortex-m7"]);
        Assert.Contains("<testcase name=\"models/a\uFFFDb\uFFFD.tflite\" classname=\"cortex-m7\">", xml);
        Assert.Contains("<error message=\"bad\uFFFD\" type=\"unscored\">bad\uFFFD</error>", xml);

        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites name=\"perfsage score\" tests=\"0\" failures=\"0\" errors=\"0\">\n"
            + "  <testsuite name=\"cortex-m7\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" />\n</testsuites>\n",
            JUnit([], ["cortex-m7"]));
    }

    [Fact]
    public void Annotations_name_each_row_over_budget_or_in_error_escaped_as_github_escapes_workflow_commands()
    {
        Assert.Equal(ExpectedAnnotations, ScoreReports.GitHubAnnotations(Rows));
        Assert.Equal("a%25b%0Dc%0Ad: e, f", ScoreReports.EscapeData("a%b\rc\nd: e, f"));
        Assert.Equal("a%25b%0Dc%0Ad%3A e%2C f", ScoreReports.EscapeProperty("a%b\rc\nd: e, f"));
    }

    [Fact]
    public void The_markdown_summary_counts_the_rows_and_lists_the_problems_escaped_for_a_table()
    {
        Assert.Equal(ExpectedSummary.ReplaceLineEndings("\n"), ScoreReports.MarkdownSummary(Rows, Targets, Budgets));
        ScoreRow piped = new("a|b`c*.tflite", "cortex-m7", null, null, null, "error: x\ny", []);
        Assert.Contains("| a\\|b\\`c\\*.tflite | cortex-m7 | error: x y |\n", ScoreReports.MarkdownSummary([piped], ["cortex-m7"], []));
        Assert.Contains("\nNo budget was given.\n", ScoreReports.MarkdownSummary([piped], ["cortex-m7"], []));
    }

    [Fact]
    public void The_summary_lists_at_most_fifty_problem_rows()
    {
        ScoreRow[] many = Enumerable.Range(0, 53)
            .Select(i => new ScoreRow($"m{i}.tflite", "cortex-m7", null, null, null, "error: m: bad", [])).ToArray();
        string md = ScoreReports.MarkdownSummary(many, ["cortex-m7"], []);
        Assert.Equal(50, md.Split('\n').Count(l => l.EndsWith("| cortex-m7 | error: m: bad |", StringComparison.Ordinal)));
        Assert.Contains("\n… and 3 more row(s) over budget or in error.\n", md);
    }

    [Fact]
    public void Under_github_actions_annotations_are_written_and_the_summary_is_appended_to_the_file_the_environment_names()
    {
        using var tmp = new ScratchFolder();
        string summary = tmp.Sub("step_summary.md");
        File.WriteAllText(summary, "earlier step\n");
        var environment = new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary };
        using var commands = new StringWriter();
        ScoreReports.PublishToGitHub(Rows, Targets, Budgets, environment.GetValueOrDefault, commands, []);
        Assert.Equal(string.Concat(ExpectedAnnotations.Select(l => l + "\n")), commands.ToString());
        Assert.Equal("earlier step\n" + ExpectedSummary.ReplaceLineEndings("\n"), File.ReadAllText(summary));

        // A second step appends again; nothing is truncated.
        ScoreReports.PublishToGitHub(Rows, Targets, Budgets, environment.GetValueOrDefault, new StringWriter(), []);
        Assert.Equal("earlier step\n" + ExpectedSummary.ReplaceLineEndings("\n") + ExpectedSummary.ReplaceLineEndings("\n"), File.ReadAllText(summary));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("1")]
    public void Outside_github_actions_nothing_is_written(string? actions)
    {
        var environment = new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = actions, ["GITHUB_STEP_SUMMARY"] = "" };
        using var commands = new StringWriter();
        ScoreReports.PublishToGitHub(Rows, Targets, Budgets, environment.GetValueOrDefault, commands, []);
        Assert.Equal("", commands.ToString());
    }

    [SkippableFact]
    public void A_step_summary_that_is_a_device_a_pipe_a_folder_or_an_input_is_refused()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "devices and named pipes are checked on Linux");
        using var tmp = new ScratchFolder();
        string fifo = tmp.Sub("fifo");
        HostileFiles.MakeFifo(fifo);
        string input = tmp.Sub("model.tflite");
        File.WriteAllText(input, "x");
        (string Path, string Expected)[] cases =
        [
            ("/dev/null", "/dev/null: is a character device; GITHUB_STEP_SUMMARY must name a regular file or a new one"),
            (fifo, $"{fifo}: is a named pipe (FIFO); GITHUB_STEP_SUMMARY must name a regular file or a new one"),
            (tmp.Path, $"{tmp.Path}: is a folder; GITHUB_STEP_SUMMARY must name a regular file or a new one"),
            (input, $"{input}: is also {input}, which this command reads or writes"),
            (tmp.Sub("no/such.md"), $"{tmp.Sub("no/such.md")}: the folder {tmp.Sub("no")} does not exist"),
        ];
        foreach ((string path, string expected) in cases)
        {
            var e = HostileFiles.WithoutHang(() => Assert.Throws<UserInputException>(() => ScoreReports.AppendStepSummary(path, "x", [input])), path);
            Assert.StartsWith(expected, e.Message);
        }
        Assert.Equal("x", File.ReadAllText(input));
    }
}
