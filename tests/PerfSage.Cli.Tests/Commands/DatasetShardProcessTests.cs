using System.Diagnostics;
using PerfSage.Dataset;

namespace PerfSage.Cli.Tests;

/// <summary>
/// The sharded build as a cluster runs it (docs/CLUSTER.md), on one machine: four real <c>perfsage dataset build
/// --shard i/4</c> processes started together, each into its own folder, then a <c>dataset merge</c> process. The
/// merged folder must be the unsharded build's folder, file for file and byte for byte.
/// </summary>
public class DatasetShardProcessTests
{
    private static readonly string[] Build =
        ["dataset", "build", "--space", "kws", "--count", "24", "--target", "cortex-m4", "ethos-u55-128", "--seed", "1", "--jobs", "1", "-q"];

    /// <summary>Starts the built CLI (<c>perfsage.dll</c>, copied beside this test assembly) as a child process.</summary>
    private static Process Start(string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "perfsage.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        return Process.Start(start)!;
    }

    /// <summary>Waits for <paramref name="process"/> and fails with its output unless it exits 0. The 10-minute limit
    /// only stops a hung process from hanging the suite; it is not a speed check.</summary>
    private static void AssertSucceeds(Process process, string what)
    {
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{what} did not end in 10 minutes");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{what} exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    /// <summary>Every file under <paramref name="dir"/> (hidden ones and those in sub-folders included), by path
    /// relative to it with '/' separators, in ordinal order.</summary>
    private static List<string> Tree(string dir) =>
        [.. Directory.EnumerateFiles(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void Four_shard_processes_run_at_once_merge_into_exactly_the_unsharded_folder()
    {
        using var tmp = new ScratchFolder();
        string[] shards = [.. Enumerable.Range(0, 4).Select(i => tmp.Sub($"shard-{i}"))];

        // All four at once, as four pods or array tasks would run; the unsharded build alongside them.
        Process[] running = [.. Enumerable.Range(0, 4).Select(i => Start([.. Build, "--shard", $"{i}/4", "--out", shards[i]]))];
        using Process whole = Start([.. Build, "--out", tmp.Sub("whole")]);
        for (int i = 0; i < 4; i++)
        {
            using Process p = running[i];
            AssertSucceeds(p, $"shard {i}/4");
        }
        AssertSucceeds(whole, "the unsharded build");

        // Shard i holds the samples whose index is i mod 4 (docs/DATASETS.md, "Shards"): 6 of the 24 each.
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(
                [.. Enumerable.Range(0, 6).Select(k => $"graphs/kws-s1-{4 * k + i:D6}.tflite")],
                Tree(shards[i]).Where(f => f.StartsWith("graphs/", StringComparison.Ordinal)));
        }

        // Shards named out of order: the merge puts the models back in index order.
        using Process merge = Start(["dataset", "merge", "-q", "--out", tmp.Sub("merged"), shards[2], shards[0], shards[3], shards[1]]);
        AssertSucceeds(merge, "dataset merge");

        // The same set of files, the .tflite graphs, journal records, labels.csv, models.csv, request.json,
        // dataset.json and the (empty) lock file alike, each with the same bytes.
        List<string> expected = Tree(tmp.Sub("whole"));
        List<string> merged = Tree(tmp.Sub("merged"));
        Assert.Equal(expected, merged);
        // 24 graphs + 24 records + labels.csv, models.csv, request.json, dataset.json, .lock.
        Assert.Equal(24 + 24 + 5, expected.Count);
        foreach (string file in expected)
        {
            byte[] a = File.ReadAllBytes(Path.Combine(tmp.Sub("whole"), file));
            byte[] b = File.ReadAllBytes(Path.Combine(tmp.Sub("merged"), file));
            Assert.True(a.AsSpan().SequenceEqual(b), $"{file} differs between the unsharded build and the merge");
        }
        // And it is a complete, consistent dataset (every graph against its recorded size and hash).
        Assert.Equal(24, DatasetFolder.Load(tmp.Sub("merged"), verifyGraphs: true).Models.Count);
    }
}
