using System.Diagnostics;
using System.Security.Cryptography;
using PerfSage.Dataset;

namespace PerfSage.Cli.Tests;

/// <summary>The real thing: a <c>perfsage dataset build</c> process killed with SIGKILL in the middle of its
/// work, then run again, ends with exactly the folder an uninterrupted build makes.</summary>
public class DatasetKillTests
{
    [Fact]
    public void A_build_killed_with_sigkill_resumes_to_exactly_the_uninterrupted_result()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "perfsage.dll");
        Assert.True(File.Exists(dll), dll);
        using var tmp = new ScratchFolder();
        string dir = tmp.Sub("killed");
        const int count = 400;
        string[] args = ["dataset", "build", "--space", "kws", "--count", $"{count}", "--target", "cortex-m4", "--seed", "1", "--jobs", "2", "--out"];

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.ArgumentList.Add(dir);
        using (Process process = Process.Start(start)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // Kill it once it is well into its work (a second or so after it starts writing models).
            string records = Path.Combine(dir, "records");
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)
                   && (!Directory.Exists(records) || Directory.GetFiles(records).Length < 40))
            {
                Thread.Sleep(10);
            }
            Assert.False(process.HasExited, "the build finished before it could be killed; raise the count");
            process.Kill(entireProcessTree: true); // SIGKILL on Linux: no handler, no clean-up runs
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(dir, "dataset.json")));
        int before = Directory.GetFiles(Path.Combine(dir, "records")).Count(f => f.EndsWith(".json", StringComparison.Ordinal));
        Assert.InRange(before, 40, count - 1);

        (int code, string stdout, string stderr) = CliRunner.Run([.. args, dir, "-q"]);
        Assert.True(code == 0, stderr);
        Assert.Contains($"{count} models", stdout);

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
