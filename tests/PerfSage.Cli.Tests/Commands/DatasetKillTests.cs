using System.Diagnostics;
using System.Security.Cryptography;
using PerfSage.Dataset;

namespace PerfSage.Cli.Tests;

/// <summary>The real thing: a <c>perfsage dataset build</c> process killed with SIGKILL in the middle of its
/// work, then run again, ends with exactly the folder an uninterrupted build makes.</summary>
public class DatasetKillTests
{
    /// <summary>Records the build must have written before it is killed: well into its work, far from its end.</summary>
    private const int KillAfterRecords = 40;

    private static string[] BuildArgs(int count) =>
        ["dataset", "build", "--space", "kws", "--count", $"{count}", "--target", "cortex-m4", "--seed", "1", "--jobs", "2", "--out"];

    /// <summary>Starts the built CLI as a child process, waits until <c>records/</c> holds <see cref="KillAfterRecords"/>
    /// files or the process ends, and kills it with SIGKILL. True when the build was stopped unfinished (no
    /// <c>dataset.json</c>); false when it finished first, which the folder, not the timing, tells.</summary>
    private static bool KillMidBuild(string[] args, string dir)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "perfsage.dll");
        Assert.True(File.Exists(dll), dll);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add(dir);
        using Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string records = Path.Combine(dir, "records");
        // No clock decides when to kill: only the records written do. The limit only stops a hung build from hanging the test.
        var guard = Stopwatch.StartNew();
        while (!process.HasExited && (!Directory.Exists(records) || Directory.GetFiles(records).Length < KillAfterRecords))
        {
            Assert.True(guard.Elapsed < TimeSpan.FromMinutes(10), $"the build wrote fewer than {KillAfterRecords} records in 10 minutes");
            Thread.Sleep(10);
        }
        try
        {
            process.Kill(entireProcessTree: true); // SIGKILL on Linux: no handler, no clean-up runs
        }
        catch (InvalidOperationException)
        {
            // it had ended already
        }
        process.WaitForExit();
        return !File.Exists(Path.Combine(dir, "dataset.json"));
    }

    [Fact]
    public void A_build_killed_with_sigkill_resumes_to_exactly_the_uninterrupted_result()
    {
        using var tmp = new ScratchFolder();
        // A machine fast enough to finish the whole build between two looks at records/ gets a larger build.
        int count = 400;
        string dir = tmp.Sub("killed-400");
        while (!KillMidBuild(BuildArgs(count), dir))
        {
            Assert.True(count < 6400, $"a build of {count} models finished before it could be killed");
            count *= 4;
            dir = tmp.Sub($"killed-{count}");
        }
        string[] args = BuildArgs(count);
        int before = Directory.GetFiles(Path.Combine(dir, "records")).Count(f => f.EndsWith(".json", StringComparison.Ordinal));
        Assert.InRange(before, KillAfterRecords - 2, count); // the newest ones may be temporary files still (at most one per job)

        (int code, string stdout, string stderr) = CliRunner.Run([.. args, dir, "-q"]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"built {dir}: {count} models ({count - before} built, {before} already done)", stdout);

        // Exactly N models, no duplicates, no partial file, every graph matching its row of models.csv.
        DatasetFolder folder = DatasetFolder.Load(dir, verifyGraphs: true);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"kws-s1-{i:D6}"), folder.Models.Select(m => m.Id));
        Assert.Equal(count, folder.Labels.Count);
        Assert.Equal(count, Directory.GetFiles(Path.Combine(dir, "graphs")).Length);
        Assert.Empty(Directory.GetFiles(dir, ".tmp-*", SearchOption.AllDirectories));

        // And the same bytes as a build that was never interrupted.
        string whole = tmp.Sub("whole");
        Assert.Equal(0, CliRunner.Run([.. args, whole, "-q"]).ExitCode);
        foreach (string file in new[] { "labels.csv", "models.csv", "dataset.json", "request.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, file)), File.ReadAllBytes(Path.Combine(dir, file)));
        }
        string Hash(string d) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(d, "models.csv"))));
        Assert.Equal(Hash(whole), Hash(dir));
    }
}
