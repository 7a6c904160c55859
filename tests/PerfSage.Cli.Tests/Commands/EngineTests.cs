using System.Diagnostics;
using System.Text.RegularExpressions;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>
/// The prediction engines from the command line (issue #13): predict, score and eval run the managed engine and never load
/// TorchSharp or libtorch; <c>--engine torch</c> or <c>PERFSAGE_ENGINE=torch</c> selects TorchSharp; <c>score --timings</c>
/// prints the time split as one stderr line.
/// </summary>
[Collection(TinyModelGroup.Name)]
public sealed partial class EngineTests(TinyModelFixture tiny)
{
    private static string Example => Path.Combine(SharedData.RepoRoot, "models", "examples", "kws_dscnn_int8.tflite");

    [Fact]
    public void Predict_with_the_managed_engine_loads_neither_TorchSharp_nor_libtorch()
    {
        // A child process (what users run), so no other test's TorchSharp is in it; the CLI reports what it loaded last.
        (int code, string stderr) = RunProcess([], "predict", Example, "--target", "ethos-u55-128");
        Assert.True(code == 0, stderr);
        Assert.Contains("loaded: torchsharp=no libtorch=no", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_torch_engine_is_chosen_by_the_option_or_the_environment_and_the_report_sees_it()
    {
        // The same report says yes when TorchSharp runs: the check above can fail.
        (int code, string stderr) = RunProcess([], "predict", Example, "--target", "ethos-u55-128", "--engine", "torch");
        Assert.True(code == 0, stderr);
        Assert.Contains("loaded: torchsharp=yes libtorch=yes", stderr, StringComparison.Ordinal);

        (code, stderr) = RunProcess([("PERFSAGE_ENGINE", "torch")], "predict", Example, "--target", "ethos-u55-128");
        Assert.True(code == 0, stderr);
        Assert.Contains("loaded: torchsharp=yes libtorch=yes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_engines_print_the_same_table()
    {
        // The parity test holds every head within 1e-4 relative; the table prints at most 4 significant digits.
        string model = tiny.Graph(1);
        string[] args = ["predict", model, "--target", "cortex-m7", "--model", tiny.Model];
        (int managedCode, string managed, string managedErr) = CliRunner.Run(args);
        (int torchCode, string torch, string torchErr) = CliRunner.Run([.. args, "--engine", "torch"]);
        Assert.True(managedCode == 0, managedErr);
        Assert.True(torchCode == 0, torchErr);
        Assert.Equal(torch, managed);
    }

    [Fact]
    public void An_unknown_engine_in_the_environment_is_bad_input_on_one_line()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = PerfSageApp.Run(["predict", tiny.Graph(1), "--target", "cortex-m7", "--model", tiny.Model], stdout, stderr,
            name => name == "PERFSAGE_ENGINE" ? "tensorflow" : null);
        Assert.Equal(2, code);
        string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("PERFSAGE_ENGINE=tensorflow: unknown engine (expected managed or torch)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_timings_is_one_stderr_line_of_every_step_and_the_row_count()
    {
        // Two models × two targets: 4 rows.
        string[] args = ["score", tiny.Graph(1), tiny.Graph(2), "--target", "cortex-m7", "--target", "ethos-u55-128", "--model", tiny.Model, "--out", "-"];
        (int code, string stdout, string stderr) = CliRunner.Run([.. args, "--timings"]);
        Assert.True(code == 0, stderr);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string timing = Assert.Single(lines, l => l.StartsWith("timings:", StringComparison.Ordinal));
        Assert.Matches(TimingsLine(), timing);
        Assert.EndsWith(" rows=4", timing, StringComparison.Ordinal);

        // Without the flag nothing else changes: the same CSV, and no timings line.
        (int plainCode, string plainStdout, string plainStderr) = CliRunner.Run(args);
        Assert.Equal(0, plainCode);
        Assert.Equal(stdout, plainStdout);
        Assert.DoesNotContain("timings:", plainStderr, StringComparison.Ordinal);
        Assert.Equal(lines.Where(l => !l.StartsWith("timings:", StringComparison.Ordinal)).Select(Numberless),
            plainStderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Numberless));
    }

    /// <summary>The summary line carries the elapsed time; compare it without numbers.</summary>
    private static string Numberless(string line) => Regex.Replace(line, "[0-9.]+", "#");

    [GeneratedRegex(@"^timings: parse_ms=\d+\.\d featurize_ms=\d+\.\d network_ms=\d+\.\d estimate_ms=\d+\.\d write_ms=\d+\.\d rows=\d+$")]
    private static partial Regex TimingsLine();

    private static (int ExitCode, string Stderr) RunProcess((string Name, string Value)[] environment, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "perfsage.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment.Remove("PERFSAGE_ENGINE");
        start.Environment["PERFSAGE_REPORT_LOADED"] = "1";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the CLI did not finish in 5 minutes");
        stdout.GetAwaiter().GetResult();
        return (process.ExitCode, stderr.GetAwaiter().GetResult());
    }
}
