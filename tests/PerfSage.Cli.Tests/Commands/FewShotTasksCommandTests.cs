using System.Globalization;
using System.Text.Json;
using PerfSage.Dataset.Spaces;
using PerfSage.Graph;
using PerfSage.Tests.Common;

namespace PerfSage.Cli.Tests;

/// <summary>
/// <c>eval --tasks</c> (what <c>scripts/fewshot-tasks</c> writes as <c>tasks.json</c>) on a tiny FBNet table made here: 30
/// architectures measured on four devices only, so most devices of the published tasks are missing, one task keeps no test
/// device and the NAS-Bench-201 task has no data at all.
/// </summary>
public class FewShotTasksCommandTests
{
    private const int Architectures = 30;

    private static string DefaultModel => Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");

    /// <summary>Architecture <paramref name="i"/> of the fixture: block j is a fixed function of (i, j), so the rows differ.</summary>
    private static string Arch(int i) =>
        string.Join('|', Enumerable.Range(0, 22).Select(j => FbnetBlocks.Names[((i * 5) + (j * ((i % 4) + 1)) + (i * j)) % 9]));

    /// <summary>Writes the fixture table: titan_rtx_1 and titan_rtx_32 (training devices of F1, F4 and F5), fpga (a test device
    /// of F0 and F1) at exactly 1e-6 × (1 + MACs) ms, and samsung_s7 (a training device of F0/F3/F4, a test device of F1/F5).
    /// Returns the table and fpga's latency per architecture.</summary>
    private static (string Csv, double[] FpgaMs) WriteTable(ScratchFolder tmp)
    {
        var lines = new List<string> { "fbnet_index,arch,titan_rtx_1,titan_rtx_32,fpga,samsung_s7" };
        var fpga = new double[Architectures];
        for (int i = 0; i < Architectures; i++)
        {
            string arch = Arch(i);
            OpGraph g = FbnetNetwork.Build(FbnetArch.Parse(arch), FbnetInput.Cifar100);
            double macs = g.TotalMacs;
            int ops = g.Nodes.Length;
            fpga[i] = 1e-6 * (1 + macs);
            double titan1 = 0.5 + (0.03 * ops) + (2e-9 * macs);
            double titan32 = 2 + (0.05 * ops) + (6e-8 * macs);
            double s7 = 3 + (0.2 * Math.Pow(ops, 1.1)) + (4e-7 * macs);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{i},{arch},{titan1:R},{titan32:R},{fpga[i]:R},{s7:R}"));
        }
        Assert.Equal(Architectures, lines.Skip(1).Select(l => l.Split(',')[1]).Distinct().Count());
        string csv = tmp.Sub("fbnet_fixture.csv");
        File.WriteAllLines(csv, lines);
        return (csv, fpga);
    }

    private static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetString()!)];

    [Fact]
    public void Tasks_json_has_one_object_per_task_with_its_missing_devices_and_the_mac_fit_beside_each_number()
    {
        using var tmp = new ScratchFolder();
        (string csv, _) = WriteTable(tmp);
        string data = tmp.Sub("fbnet");
        (int code, _, string stderr) = CliRunner.Run("dataset", "import-fbnet", "--csv", csv, "--out", data, "--jobs", "2", "-q");
        Assert.True(code == 0, stderr);
        string[] args = ["eval", "--tasks", "F1,F4,N0", "--few-shot", "10", "--repeats", "2", "--seed", "7", "--data", data,
            "--from", DefaultModel, "--format", "json", "--fit-steps", "60", "--jobs", "2", "-q"];

        (code, string stdout, stderr) = CliRunner.Run(args);

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] tasks = [.. doc.RootElement.EnumerateArray()];
        Assert.Equal(["F1", "F4", "N0"], tasks.Select(t => t.GetProperty("task").GetString()));

        // F1: 2080ti_1, essential_ph_1, silver_4114, titan_rtx_1, titan_rtx_32 -> eyeriss, fpga, raspi4, samsung_a50, samsung_s7.
        JsonElement f1 = tasks[0];
        Assert.Equal("fbnet", f1.GetProperty("space").GetString());
        Assert.Equal(["titan_rtx_1", "titan_rtx_32"], Strings(f1.GetProperty("trained_on")));
        Assert.Equal(["2080ti_1", "essential_ph_1", "silver_4114", "eyeriss", "raspi4", "samsung_a50"], Strings(f1.GetProperty("missing")));
        Assert.Equal(JsonValueKind.Null, f1.GetProperty("reason").ValueKind);
        JsonElement[] devices = [.. f1.GetProperty("devices").EnumerateArray()];
        Assert.Equal(["fpga", "samsung_s7"], devices.Select(d => d.GetProperty("device").GetString()));
        foreach (JsonElement d in devices)
        {
            Assert.Equal(Architectures, d.GetProperty("labelled_count").GetInt32());
            Assert.Equal(Architectures - 10, d.GetProperty("test_count").GetDouble());
            Assert.Equal(2, d.GetProperty("donors").GetArrayLength());
            Assert.InRange(d.GetProperty("spearman").GetDouble(), -1, 1);
            Assert.InRange(d.GetProperty("acc10_pct").GetDouble(), 0, 100);
            Assert.True(d.GetProperty("mape_pct").GetDouble() >= 0);
            Assert.InRange(d.GetProperty("baseline_acc10_pct").GetDouble(), 0, 100);
        }
        // fpga is exactly 1e-6 (1 + MACs): the MAC-count fit is exact on it (b = 1, c = 0).
        Assert.Equal(0, devices[0].GetProperty("baseline_mape_pct").GetDouble(), 6);
        Assert.Equal(1, devices[0].GetProperty("baseline_spearman").GetDouble(), 9);
        Assert.Equal(100, devices[0].GetProperty("baseline_acc10_pct").GetDouble(), 9);
        // The task's numbers are the means over its test devices.
        foreach (string field in new[] { "spearman", "mape_pct", "acc10_pct", "baseline_spearman", "baseline_mape_pct", "baseline_acc10_pct" })
        {
            Assert.Equal(devices.Average(d => d.GetProperty(field).GetDouble()), f1.GetProperty(field).GetDouble(), 9);
        }

        // F4: its test devices 1080ti_1, pixel2, essential_ph_1 are all missing: no scores, and the reason.
        JsonElement f4 = tasks[1];
        Assert.Equal(JsonValueKind.Null, f4.GetProperty("spearman").ValueKind);
        Assert.Equal(JsonValueKind.Null, f4.GetProperty("baseline_spearman").ValueKind);
        Assert.Equal(0, f4.GetProperty("devices").GetArrayLength());
        Assert.Contains("none of its test devices", f4.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["1080ti_64", "2080ti_1", "eyeriss", "gold_6226", "gold_6240", "raspi4", "silver_4210r", "1080ti_1", "pixel2", "essential_ph_1"],
            Strings(f4.GetProperty("missing")));

        // N0 is a NAS-Bench-201 task: no graph of that space was given.
        JsonElement n0 = tasks[2];
        Assert.Equal(JsonValueKind.Null, n0.GetProperty("spearman").ValueKind);
        Assert.Contains("no nb201 graphs", n0.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(15, Strings(n0.GetProperty("missing")).Length);

        // The k-draws are seeded: the same command gives the same numbers.
        (code, string again, stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        Assert.Equal(stdout, again);
    }

    [Fact]
    public void Tasks_need_one_k_known_names_and_no_target()
    {
        using var tmp = new ScratchFolder();
        string data = tmp.Sub("none");
        (int code, _, string stderr) = CliRunner.Run("eval", "--tasks", "F9", "--few-shot", "20", "--data", data);
        Assert.Equal(2, code);
        Assert.Contains("unknown task 'F9'; the tasks are N0, F0, F1, F2, F3, F4, F5", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("eval", "--tasks", "F1", "--few-shot", "10,20", "--data", data);
        Assert.Equal(2, code);
        Assert.Contains("with --tasks give one k", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("eval", "--tasks", "F1", "--few-shot", "20", "--target", "fpga", "--data", data);
        Assert.Equal(2, code);
        Assert.Contains("--target does not apply with --tasks", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("eval", "--tasks", "F1", "--data", data);
        Assert.Equal(2, code);
        Assert.Contains("--tasks only applies with --few-shot", stderr, StringComparison.Ordinal);
    }
}
