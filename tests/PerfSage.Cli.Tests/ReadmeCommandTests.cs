using System.Globalization;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>The README's first fenced block holds the two commands a newcomer runs; the first one must work.</summary>
public class ReadmeCommandTests
{
    private static string[] FirstBlock()
    {
        string[] lines = File.ReadAllLines(Path.Combine(SharedData.RepoRoot, "README.md"));
        int open = Array.FindIndex(lines, l => l.StartsWith("```", StringComparison.Ordinal));
        int close = Array.FindIndex(lines, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        return lines[(open + 1)..close];
    }

    [Fact]
    public void The_first_block_holds_the_main_job_and_the_test_command_ci_runs()
    {
        string[] block = FirstBlock();
        Assert.Equal(2, block.Length);
        Assert.StartsWith("./perfsage predict models/examples/", block[0], StringComparison.Ordinal);
        Assert.Equal("dotnet test PerfSage.sln -c Release", block[1]);
        Assert.Contains("dotnet test PerfSage.sln -c Release", File.ReadAllText(Path.Combine(SharedData.RepoRoot, ".ci", "run")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_command_predicts_the_bundled_example_close_to_its_reference()
    {
        // Run the README's command as written (repository-relative paths made absolute for the in-process run).
        string[] words = FirstBlock()[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("./perfsage", words[0]);
        string[] args = [.. words.Skip(1).Select(w => File.Exists(Path.Combine(SharedData.RepoRoot, w)) ? Path.Combine(SharedData.RepoRoot, w) : w)];
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);

        // One table row per metric: predicted, reference, and their ratio as printed (2 decimals).
        string[] metrics = ["latency [ms]", "energy [mJ]", "peak RAM [kB]", "flash [kB]"];
        foreach (string metric in metrics)
        {
            string row = Assert.Single(stdout.Split('\n'), l => l.Contains(metric, StringComparison.Ordinal));
            string[] cells = row[(row.IndexOf(metric, StringComparison.Ordinal) + metric.Length)..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            double predicted = double.Parse(cells[0], CultureInfo.InvariantCulture);
            double reference = double.Parse(cells[1], CultureInfo.InvariantCulture);
            double ratio = double.Parse(cells[2], CultureInfo.InvariantCulture);
            Assert.True(predicted > 0 && reference > 0, row);
            Assert.Equal(predicted / reference, ratio, 0.006);
            // The shipped model's held-out error is a few percent; 20 % would be a broken model or featurizer.
            Assert.InRange(ratio, 0.8, 1.25);
        }
    }
}
