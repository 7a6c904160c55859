using System.Globalization;
using System.Security.Cryptography;
using PerfSage.Model;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

[Collection(TinyModelGroup.Name)]
public class ScoreCommandTests(TinyModelFixture tiny)
{
    private const string Header =
        "model,target,status,latency_ms,energy_mj,peak_ram_kb,flash_kb,ref_latency_ms,ref_energy_mj,ref_peak_ram_kb,ref_flash_kb,sha256,warnings";

    /// <summary>A folder with copies of graphs 10..(10+count-1), one in a subfolder, and optionally a truncated file.</summary>
    private string ModelsFolder(ScratchFolder tmp, int count, bool withCorrupt)
    {
        string dir = tmp.Sub("models");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        for (int i = 0; i < count; i++)
        {
            string name = $"m{i:D2}.tflite";
            File.Copy(tiny.Graph(10 + i), Path.Combine(dir, i == 0 ? Path.Combine("sub", name) : name));
        }
        if (withCorrupt)
        {
            File.WriteAllBytes(Path.Combine(dir, "broken.tflite"), File.ReadAllBytes(tiny.Graph(30))[..700]);
        }
        File.WriteAllText(Path.Combine(dir, "README.md"), "not a model");
        return dir;
    }

    private static List<string[]> Rows(string csv)
    {
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(Header, lines[0]);
        return lines[1..].Select(l => l.Split(',')).ToList();
    }

    private (int ExitCode, string Stdout, string Stderr) Score(params string[] args) =>
        CliRunner.Run(["score", .. args, "--model", tiny.Model, "--jobs", "2"]);

    [Fact]
    public void A_corrupt_file_gets_an_error_row_and_exit_2_while_the_others_are_scored()
    {
        using var tmp = new ScratchFolder();
        string dir = ModelsFolder(tmp, 5, withCorrupt: true);
        string csv = tmp.Sub("scores.csv");
        (int code, string stdout, string stderr) = Score(dir, "--target", "cortex-m7", "ethos-u55-128", "--out", csv);
        Assert.Equal(2, code);
        List<string[]> rows = Rows(csv);
        Assert.Equal(12, rows.Count); // 6 files (README.md is not a .tflite) x 2 targets

        string broken = Path.Combine(dir, "broken.tflite");
        string[][] errors = rows.Where(r => r[0] == broken).ToArray();
        Assert.Equal(["cortex-m7", "ethos-u55-128"], errors.Select(r => r[1]).ToArray());
        Assert.All(errors, r => Assert.StartsWith($"error: {broken}: ", r[2]));
        Assert.All(errors, r => Assert.Equal("", r[3]));
        Assert.Contains($"perfsage: error: {broken}: ", stderr);
        Assert.Contains("perfsage: error: 1 of 6 input(s) could not be scored", stderr);

        string[][] ok = rows.Where(r => r[0] != broken).ToArray();
        Assert.Equal(10, ok.Length);
        foreach (string[] r in ok)
        {
            Assert.Equal("ok", r[2]);
            Assert.All(r[3..11], v => Assert.True(double.Parse(v, CultureInfo.InvariantCulture) > 0, v));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(r[0]))), r[11]);
        }
        Assert.Contains(Path.Combine(dir, "sub", "m00.tflite"), ok.Select(r => r[0])); // folders are searched recursively
        Assert.Contains("6 model(s) on 2 target(s)", stdout);
        Assert.Empty(Directory.GetFiles(tmp.Path, ".tmp-*")); // AtomicFile's temporary name
    }

    [Fact]
    public void Budgets_exit_1_naming_each_violation_and_a_bad_file_still_wins_with_exit_2()
    {
        using var tmp = new ScratchFolder();
        string dir = ModelsFolder(tmp, 8, withCorrupt: false);
        string free = tmp.Sub("free.csv");
        Assert.Equal(0, Score(dir, "-t", "cortex-m7", "--out", free).ExitCode);
        // The budget: the median of the predicted latencies, so some models keep to it and some do not.
        Dictionary<string, double> latency = Rows(free).ToDictionary(r => r[0], r => double.Parse(r[3], CultureInfo.InvariantCulture));
        double limit = latency.Values.Order().ElementAt(latency.Count / 2);
        string[] over = latency.Where(kv => kv.Value > limit).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();
        Assert.InRange(over.Length, 1, latency.Count - 1);

        string csv = tmp.Sub("gated.csv");
        string budget = "latency_ms<=" + limit.ToString("R", CultureInfo.InvariantCulture);
        (int code, _, string stderr) = Score(dir, "-t", "cortex-m7", "--out", csv, "--budget", budget, "--budget", "flash_kb<1e9");
        Assert.Equal(1, code);
        List<string[]> rows = Rows(csv);
        Assert.Equal(over, rows.Where(r => r[2].StartsWith("over budget: latency_ms ", StringComparison.Ordinal)).Select(r => r[0]).Order(StringComparer.Ordinal).ToArray());
        Assert.All(rows.Where(r => !over.Contains(r[0])), r => Assert.Equal("ok", r[2]));
        foreach (string model in over)
        {
            Assert.Contains($"perfsage: over budget: {model} on cortex-m7: latency_ms ", stderr);
        }
        Assert.Contains($"perfsage: {over.Length} of 8 predictions break the budget ({budget}, flash_kb<1000000000)", stderr);

        File.WriteAllBytes(Path.Combine(dir, "broken.tflite"), [1, 2, 3, 4, 5, 6, 7, 8]);
        (code, _, stderr) = Score(dir, "-t", "cortex-m7", "--out", csv, "--budget", budget);
        Assert.Equal(2, code);
        Assert.Contains("perfsage: over budget: ", stderr); // the violations are still reported
        Assert.Equal(9, Rows(csv).Count); // and the CSV was replaced
    }

    [Fact]
    public void Globs_and_list_files_select_models_and_each_is_scored_once()
    {
        using var tmp = new ScratchFolder();
        string dir = ModelsFolder(tmp, 4, withCorrupt: false);
        File.WriteAllLines(tmp.Sub("list.txt"), ["# models to gate", "models/m01.tflite", "", "models/sub/m00.tflite", "models/m01.tflite"]);
        File.WriteAllLines(tmp.Sub("list.csv"), ["name,model", "a,models/m02.tflite", $"b,{Path.Combine(dir, "m03.tflite")}"]);
        string csv = tmp.Sub("s.csv");

        Assert.Equal(0, Score(tmp.Sub("list.txt"), tmp.Sub("list.csv"), "-t", "cortex-m7", "--out", csv).ExitCode);
        Assert.Equal(
            [Path.Combine(tmp.Path, "models/m01.tflite"), Path.Combine(tmp.Path, "models/sub/m00.tflite"), Path.Combine(tmp.Path, "models/m02.tflite"), Path.Combine(dir, "m03.tflite")],
            Rows(csv).Select(r => r[0]).ToArray());

        Assert.Equal(0, Score(Path.Combine(dir, "**", "m0?.tflite"), Path.Combine(dir, "m01.tflite"), "-t", "cortex-m7", "--out", csv).ExitCode);
        Assert.Equal(
            [Path.Combine(dir, "m01.tflite"), Path.Combine(dir, "m02.tflite"), Path.Combine(dir, "m03.tflite"), Path.Combine(dir, "sub", "m00.tflite")],
            Rows(csv).Select(r => r[0]).ToArray());

        (int code, _, string stderr) = Score(Path.Combine(dir, "*.onnx"), "-t", "cortex-m7", "--out", csv);
        Assert.Equal(2, code);
        Assert.Contains("*.onnx: no file matches", stderr);
    }

    [Theory]
    [InlineData("latency<=20", "--budget 'latency<=20': unknown metric 'latency'; valid: latency_ms, energy_mj, peak_ram_kb, flash_kb")]
    [InlineData("latency_ms=20", "--budget 'latency_ms=20': expected METRIC<=VALUE")]
    [InlineData("latency_ms<=fast", "--budget 'latency_ms<=fast': 'fast' is not a number")]
    public void Bad_budgets_exit_2_before_anything_is_scored(string budget, string expected)
    {
        using var tmp = new ScratchFolder();
        (int code, _, string stderr) = Score(tiny.Graph(1), "-t", "cortex-m7", "--out", tmp.Sub("x.csv"), "--budget", budget);
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.False(File.Exists(tmp.Sub("x.csv")));
    }

    [SkippableFact]
    public void A_link_to_a_parent_folder_is_not_followed_and_is_named_in_one_warning()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links are checked on Linux");
        using var tmp = new ScratchFolder();
        string dir = ModelsFolder(tmp, 3, withCorrupt: false);
        string loop = Path.Combine(dir, "sub", "loop");
        Directory.CreateSymbolicLink(loop, dir); // models/sub/loop -> models: an endless tree to a walk that follows links
        string[] expected = [Path.Combine(dir, "m01.tflite"), Path.Combine(dir, "m02.tflite"), Path.Combine(dir, "sub", "m00.tflite")];
        foreach (string input in new[] { dir, Path.Combine(dir, "**", "*.tflite") })
        {
            string csv = tmp.Sub("s.csv");
            (int code, _, string stderr) = HostileFiles.WithoutHang(() => Score(input, "-t", "cortex-m7", "--out", csv), "score " + input);
            Assert.True(code == 0, stderr);
            Assert.Equal(expected, Rows(csv).Select(r => r[0]).ToArray());
            // The warning is product output, not a progress log: README's score section promises one warning naming
            // the links skipped, so its wording is what this test checks (the behaviour itself: the rows above).
            string warning = Assert.Single(stderr.Split('\n'), l => l.Contains("did not follow", StringComparison.Ordinal));
            Assert.Equal($"[WRN] did not follow 1 link(s) to folders (a link can lead back to its own parent; name the folder itself to score it): {loop}", warning);
        }
    }

    [SkippableFact]
    public void A_file_name_that_is_not_utf8_gets_an_error_row_that_says_so()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "file names are bytes on Linux");
        using var tmp = new ScratchFolder();
        string dir = ModelsFolder(tmp, 2, withCorrupt: false);
        string decoded = HostileFiles.MakeNonUtf8Name(dir, ".tflite", File.ReadAllBytes(tiny.Graph(20)));
        string expected = $"{decoded}: the file name is not valid UTF-8, which PerfSage cannot open; rename the file";

        string csv = tmp.Sub("s.csv");
        (int code, _, string stderr) = Score(dir, "-t", "cortex-m7", "--out", csv);
        Assert.Equal(2, code);
        Assert.Contains($"perfsage: error: {expected}\n", stderr);
        Assert.Contains($"\"error: {expected}\"", File.ReadAllText(csv)); // quoted: the message holds a comma
        Assert.DoesNotContain("Could not find file", stderr);

        // Named in a list, the same.
        File.WriteAllBytes(tmp.Sub("list.csv"), [.. "model\nmodels/"u8, 0xFF, .. ".tflite\nmodels/m01.tflite\n"u8]);
        (code, _, stderr) = Score(tmp.Sub("list.csv"), "-t", "cortex-m7", "--out", csv);
        Assert.Equal(2, code);
        Assert.Contains($"perfsage: error: {Path.Combine(tmp.Path, "models", "\uFFFD.tflite")}: the file name is not valid UTF-8", stderr);
        Assert.Contains("1 of 2 input(s) could not be scored", stderr);
    }

    [SkippableFact]
    public void A_list_that_is_a_pipe_is_refused_and_a_huge_line_is_cut_short()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "named pipes are checked on Linux");
        using var tmp = new ScratchFolder();
        string fifo = tmp.Sub("list.csv");
        HostileFiles.MakeFifo(fifo);
        (int code, string stdout, string stderr) = HostileFiles.WithoutHang(() => Score(fifo, "-t", "cortex-m7", "--out", tmp.Sub("s.csv")), "score of a pipe list");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.EndsWith($"perfsage: error: {fifo}: is a named pipe (FIFO), not a regular file; a list of models must be a regular file\n", stderr);
        Assert.False(File.Exists(tmp.Sub("s.csv")));

        string dir = ModelsFolder(tmp, 1, withCorrupt: false);
        string huge = new('q', 10 << 20); // a 10 MB line
        File.WriteAllLines(tmp.Sub("list.txt"), [huge, "models/sub/m00.tflite"]);
        string csv = tmp.Sub("t.csv");
        (code, _, stderr) = Score(tmp.Sub("list.txt"), "-t", "cortex-m7", "--out", csv);
        Assert.Equal(2, code);
        Assert.True(stderr.Length < 4000, $"stderr holds {stderr.Length} characters");
        Assert.True(new FileInfo(csv).Length < 4000, $"the CSV holds {new FileInfo(csv).Length} bytes");
        string shown = Limits.Echo(Path.Combine(tmp.Path, huge));
        Assert.Contains($"perfsage: error: {shown}: the path is {tmp.Path.Length + 1 + huge.Length} characters long, longer than a file system takes", stderr);
        Assert.Equal(Path.Combine(dir, "sub", "m00.tflite"), Rows(csv)[1][0]);

        // A pipe named like a model, in a folder or given itself, is an error row, never opened.
        string pipeModel = Path.Combine(dir, "pipe.tflite");
        HostileFiles.MakeFifo(pipeModel);
        foreach (string input in new[] { dir, pipeModel })
        {
            (code, _, stderr) = HostileFiles.WithoutHang(() => Score(input, "-t", "cortex-m7", "--out", csv), "score of a pipe model");
            Assert.Equal(2, code);
            Assert.Contains($"perfsage: error: {pipeModel}: is a named pipe (FIFO), not a regular file; a model must be a regular file\n", stderr);
        }
    }
}
