using System.Text.RegularExpressions;
using System.Xml.Linq;
using PerfSage.Cli;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary><c>score --junit</c>, GitHub annotations and the step summary, end to end on the shipped model and the
/// repository's example models, with a budget no model keeps (1e-6 ms).</summary>
public sealed partial class ScoreCiOutputTests : IDisposable
{
    private const string Unkeepable = "latency_ms<=1e-6";

    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static string ExamplesGlob => Path.Combine(SharedData.RepoRoot, "models", "examples", "*.tflite");

    private static string[] Examples => Directory.GetFiles(Path.Combine(SharedData.RepoRoot, "models", "examples"), "*.tflite").Order(StringComparer.Ordinal).ToArray();

    private static string ShippedModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    private string Broken()
    {
        string path = _scratch.Sub("broken.tflite");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8]);
        return path;
    }

    private static (int ExitCode, string Stdout, string Stderr) Score(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = PerfSageApp.Run(["score", .. args, "--model", ShippedModel, "--jobs", "2"], stdout, stderr, environment.GetValueOrDefault);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static readonly Dictionary<string, string?> NoCi = [];

    /// <summary>The summary line's duration and speed change from run to run.</summary>
    private static string Timeless(string text) => Duration().Replace(text, "in T s (R models/s)");

    [GeneratedRegex(@"in [0-9.]+ s \([0-9]+ models/s\)")]
    private static partial Regex Duration();

    [Fact]
    public void Junit_has_a_case_per_model_and_target_with_failures_for_budgets_and_errors_for_a_bad_file_and_the_csv_is_unchanged()
    {
        Assert.NotEmpty(Examples);
        string broken = Broken();
        string plainCsv = _scratch.Sub("plain.csv");
        string csv = _scratch.Sub("scores.csv");
        string junit = _scratch.Sub("reports/junit.xml"); // its folder is made, as --out's is
        string[] common = [ExamplesGlob, broken, "-t", "cortex-m7", "-t", "ethos-u55-128", "--budget", Unkeepable];

        (int plainCode, string plainOut, string plainErr) = Score(NoCi, [.. common, "--out", plainCsv]);
        (int code, string stdout, string stderr) = Score(NoCi, [.. common, "--out", csv, "--junit", junit]);
        Assert.Equal(2, plainCode); // a bad file wins over a budget, as before
        Assert.Equal(2, code);
        Assert.Equal(File.ReadAllBytes(plainCsv), File.ReadAllBytes(csv));
        Assert.Equal(Timeless(plainOut).Replace(plainCsv, csv, StringComparison.Ordinal), Timeless(stdout));
        Assert.Equal(plainErr, stderr);

        XElement root = XDocument.Load(junit).Root!;
        int models = Examples.Length + 1;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(2 * models, (int)root.Attribute("tests")!);
        Assert.Equal(2 * Examples.Length, (int)root.Attribute("failures")!);
        Assert.Equal(2, (int)root.Attribute("errors")!);
        Assert.Equal(["cortex-m7", "ethos-u55-128"], root.Elements("testsuite").Select(s => (string)s.Attribute("name")!).ToArray());
        foreach (XElement suite in root.Elements("testsuite"))
        {
            string target = (string)suite.Attribute("name")!;
            Assert.Equal(models, (int)suite.Attribute("tests")!);
            Assert.Equal(Examples.Length, (int)suite.Attribute("failures")!);
            Assert.Equal(1, (int)suite.Attribute("errors")!);
            XElement[] cases = suite.Elements("testcase").ToArray();
            Assert.Equal([.. Examples, broken], cases.Select(c => (string)c.Attribute("name")!).ToArray());
            Assert.All(cases, c => Assert.Equal(target, (string)c.Attribute("classname")!));
            foreach (XElement example in cases[..^1])
            {
                XElement failure = Assert.Single(example.Elements());
                Assert.Equal("failure", failure.Name.LocalName);
                Assert.Matches(@"^latency_ms [0-9.E+-]+ > 1E-06$", (string)failure.Attribute("message")!);
            }
            XElement error = Assert.Single(cases[^1].Elements());
            Assert.Equal("error", error.Name.LocalName);
            Assert.StartsWith(broken + ": ", (string)error.Attribute("message")!);
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(junit)!, ".tmp-*"));
    }

    [Fact]
    public void Under_github_actions_each_violation_is_annotated_and_the_summary_is_appended()
    {
        string summary = _scratch.Sub("summary.md");
        File.WriteAllText(summary, "# earlier\n");
        var ci = new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary };
        string csv = _scratch.Sub("s.csv");
        string junit = _scratch.Sub("j.xml");

        (int code, string stdout, string stderr) = Score(ci, ExamplesGlob, "-t", "cortex-m7", "--out", csv, "--junit", junit, "--budget", Unkeepable);
        Assert.Equal(1, code);
        Assert.Contains("predictions break the budget", stderr);
        string[] annotations = stdout.Split('\n').Where(l => l.StartsWith("::", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Examples.Length, annotations.Length);
        for (int i = 0; i < Examples.Length; i++)
        {
            Assert.StartsWith($"::error file={Examples[i]},title=perfsage%3A over budget on cortex-m7::{Examples[i]} on cortex-m7: latency_ms ", annotations[i]);
            Assert.EndsWith(" > 1E-06", annotations[i]);
        }
        string text = File.ReadAllText(summary);
        Assert.StartsWith("# earlier\n### perfsage score\n\n", text);
        Assert.Contains($"{Examples.Length} model(s) on 1 target(s) (cortex-m7): **0 ok**, **{Examples.Length} over budget**, **0 error(s)**.", text);
        Assert.Contains("Budgets: `latency_ms<=1E-06`.", text);
        XElement root = XDocument.Load(junit).Root!;
        Assert.Equal(Examples.Length, (int)root.Attribute("failures")!);
        Assert.Equal(0, (int)root.Attribute("errors")!);

        // With the CSV on stdout, the annotations go to stderr and stdout stays a CSV.
        (code, stdout, stderr) = Score(new Dictionary<string, string?> { ["GITHUB_ACTIONS"] = "true" }, ExamplesGlob, "-t", "cortex-m7", "--out", "-", "--budget", Unkeepable);
        Assert.Equal(1, code);
        Assert.DoesNotContain("::error", stdout);
        Assert.StartsWith("model,target,status,", stdout);
        Assert.Contains($"::error file={Examples[0]},", stderr);
    }

    [SkippableFact]
    public void A_junit_path_or_step_summary_that_is_a_pipe_a_device_an_input_or_the_csv_is_refused_before_scoring()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes and devices are checked on Linux");
        string fifo = _scratch.Sub("pipe.xml");
        HostileFiles.MakeFifo(fifo);
        string csv = _scratch.Sub("s.csv");
        string example = Examples[0];
        (string[] Args, Dictionary<string, string?> Environment, string Expected)[] cases =
        [
            (["--junit", fifo], NoCi, $"perfsage: error: {fifo}: is a named pipe (FIFO); --junit must name a regular file or a new one"),
            (["--junit", "/dev/null"], NoCi, "perfsage: error: /dev/null: is a character device; --junit must name a regular file or a new one"),
            (["--junit", example], NoCi, $"perfsage: error: {example}: is one of this command's inputs ({example}); --junit must name another file"),
            (["--junit", csv], NoCi, $"perfsage: error: --junit {csv}: must name a file other than --out's ({csv})"),
            (["--junit", "-"], NoCi, "perfsage: error: --junit -: the report is written to a file"),
            ([], new() { ["GITHUB_STEP_SUMMARY"] = fifo },
                $"perfsage: error: {fifo}: is a named pipe (FIFO); GITHUB_STEP_SUMMARY must name a regular file or a new one"),
            ([], new() { ["GITHUB_STEP_SUMMARY"] = csv }, $"perfsage: error: {csv}: is also {csv}, which this command reads or writes"),
        ];
        foreach ((string[] args, Dictionary<string, string?> environment, string expected) in cases)
        {
            (int code, string stdout, string stderr) = HostileFiles.WithoutHang(
                () => Score(environment, [example, "-t", "cortex-m7", "--out", csv, .. args]), string.Join(' ', args));
            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.StartsWith(expected, stderr);
            Assert.False(File.Exists(csv));
        }

        // A link to the CSV is the CSV: refused, and the CSV is left as it was.
        string existing = _scratch.Sub("existing.csv");
        File.WriteAllText(existing, "kept\n");
        string link = _scratch.Sub("link.xml");
        File.CreateSymbolicLink(link, existing);
        (int linkCode, _, string linkErr) = Score(NoCi, example, "-t", "cortex-m7", "--out", existing, "--junit", link);
        Assert.Equal(2, linkCode);
        Assert.StartsWith($"perfsage: error: {link}: is one of this command's inputs ({existing}); --junit must name another file", linkErr);
        Assert.Equal("kept\n", File.ReadAllText(existing));
    }
}
