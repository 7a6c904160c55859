using System.Diagnostics;
using System.Globalization;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit.Abstractions;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// Issue #11's acceptance suite: thousands of generated hostile models (<see cref="HostileModels"/>, fixed seeds)
/// through <c>inspect</c>, <c>estimate --all-targets</c> and <c>predict --all-targets</c>, in-process. The rule
/// checked on every run is <see cref="HostileRunner"/>'s: exit 0 or 2, one stderr line naming the file on exit 2,
/// finite and sane numbers on exit 0, no hang, bounded allocation, the input untouched.
/// </summary>
/// <remarks>
/// Environment: <c>PERFSAGE_HOSTILE_COUNT</c> (default 5000), <c>PERFSAGE_HOSTILE_SEED</c> (default
/// <see cref="DefaultSeed"/>), <c>PERFSAGE_HOSTILE_SHARED_COUNT</c> (default 1000, the mutants of real models from
/// <c>../shared</c>), <c>PERFSAGE_HOSTILE_COMMANDS</c> (a comma list of inspect, estimate, predict; default all) and
/// <c>PERFSAGE_HOSTILE_REPORT</c> (a folder: the full report and a journal of the cases as they run, which names
/// the case if the test process dies).
/// </remarks>
public sealed class HostileInputSuiteTests(ITestOutputHelper output)
{
    /// <summary>The generator seed unless <c>PERFSAGE_HOSTILE_SEED</c> says otherwise.</summary>
    public const int DefaultSeed = 1111;

    /// <summary>Peak working set bound of the test process (MiB) unless <c>PERFSAGE_HOSTILE_MAX_WS_MIB</c> says otherwise.
    /// Each command is held to <see cref="HostileRunner.MaxAllocatedBytes"/> of allocation; the process's high-water mark
    /// adds libtorch and the other test classes running beside the suite, and the garbage of earlier cases not yet
    /// collected. Measured on the 2-core build machine after the issue #11 fixes: 7.3 GiB (bundled seeds) and
    /// 7.9 GiB (real models), so the bound is 10 GiB, well under the machine's 24 GiB: a leak or an unbounded read
    /// (4 GiB per /dev/zero) breaks it.</summary>
    public const int DefaultMaxWorkingSetMib = 10240;

    [Fact]
    public void Hostile_models_from_bundled_seeds_exit_0_or_2_with_finite_results()
    {
        int count = EnvInt("PERFSAGE_HOSTILE_COUNT", 5000);
        int seed = EnvInt("PERFSAGE_HOSTILE_SEED", DefaultSeed);
        RunSuite(seed, count, SeedCorpus.Bundled, "bundled");
    }

    [SkippableFact]
    public void Hostile_models_from_shared_real_models_exit_0_or_2_with_finite_results()
    {
        IReadOnlyList<SeedModel>? seeds = SeedCorpus.Shared(max: 200);
        Skip.If(seeds is null, "../shared is not beside the repository: the mutants of real models are not run");
        Skip.If(seeds!.Count == 0, "../shared/models holds no model under 256 KiB that the reader accepts");
        int count = EnvInt("PERFSAGE_HOSTILE_SHARED_COUNT", 1000);
        int seed = EnvInt("PERFSAGE_HOSTILE_SEED", DefaultSeed);
        RunSuite(seed, count, seeds, "shared");
    }

    [Fact]
    public void Seed_layout_finds_every_field_the_reader_reports()
    {
        SeedModel kws = SeedCorpus.Bundled[0];
        TfliteModel m = kws.Model;
        SeedLayout layout = kws.Layout;
        var cursor = new FlatBufferCursor(kws.Bytes);

        Assert.Equal(3, cursor.ReadInt32(layout.Version!.Value.Position));
        int indices = m.Subgraphs.Sum(s => s.Inputs.Count + s.Outputs.Count + s.Operators.Sum(o => o.Inputs.Count + o.Outputs.Count));
        Assert.Equal(indices, layout.TensorIndices.Count);
        Assert.Equal(m.Subgraphs.Sum(s => s.Tensors.Sum(t => t.Shape.Count)), layout.ShapeDims.Count);
        int[] shapeValues = [.. layout.ShapeDims.Select(d => cursor.ReadInt32(d.Position))];
        Assert.Equal(m.Subgraphs.SelectMany(s => s.Tensors).SelectMany(t => t.Shape), shapeValues);
        Assert.Equal(m.Subgraphs[0].Operators[0].Inputs[0], cursor.ReadInt32(layout.TensorIndices.First(s => s.Path == "subgraphs[0].operators[0].inputs[0]").Position));
        // Buffer data come after the tables: the structure ends where the first data vector starts.
        Assert.True(kws.StructureEnd < kws.Bytes.Length / 2, $"structure ends at {kws.StructureEnd} of {kws.Bytes.Length}");
    }

    [Fact]
    public void Generation_is_a_pure_function_of_seed_and_index()
    {
        IReadOnlyList<SeedModel> seeds = SeedCorpus.Bundled;
        for (int i = 0; i < 40; i++)
        {
            HostileModel a = HostileModels.Make(DefaultSeed, i, seeds);
            HostileModel b = HostileModels.Make(DefaultSeed, i, seeds);
            Assert.Equal(a.Bytes, b.Bytes);
            Assert.Equal(a.Detail, b.Detail);
        }
        Assert.NotEqual(HostileModels.Make(1, 0, seeds).Bytes, HostileModels.Make(2, 0, seeds).Bytes);
    }

    [Fact]
    public void A_semantic_mutant_reads_back_with_the_change_it_describes()
    {
        // Draw until a shape/dim mutant comes up, then check that the file holds the shape the detail names.
        IReadOnlyList<SeedModel> seeds = SeedCorpus.Bundled;
        HostileModel c = Enumerable.Range(0, 2000).Select(i => HostileModels.Make(DefaultSeed, i, seeds)).First(h => h.Kind == "shape/dim");
        TfliteModel read = TfliteReader.Parse(c.Bytes, c.Name);
        int tensor = int.Parse(c.Detail[(c.Detail.IndexOf('[', StringComparison.Ordinal) + 1)..c.Detail.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        string after = c.Detail[(c.Detail.LastIndexOf("-> ", StringComparison.Ordinal) + 3)..];
        Assert.Equal(after, "[" + string.Join(",", read.Subgraphs[0].Tensors[tensor].Shape) + "]");
    }

    [Theory]
    [InlineData("[1, 2.5, {\"a\": -3}]", 0)]
    [InlineData("[1e16]", 1)]
    [InlineData("{\"a\": \"NaN\", \"b\": [\"Infinity\"]}", 2)]
    [InlineData("{\"a\": NaN}", 1)]
    [InlineData("{\"x\": 1}\n{\"y\": 2}", 1)]
    public void Json_check_flags_non_finite_and_huge_numbers(string json, int problems)
    {
        Assert.Equal(problems, HostileRunner.JsonProblems(json).Count);
    }

    private void RunSuite(int seed, int count, IReadOnlyList<SeedModel> seeds, string label)
    {
        string modelDir = Path.Combine(SharedData.RepoRoot, "models", "perfsage-default");
        Assert.True(File.Exists(Path.Combine(modelDir, "manifest.json")), $"{modelDir} has no manifest.json: predict needs the shipped model");
        string[] chosen = (Environment.GetEnvironmentVariable("PERFSAGE_HOSTILE_COMMANDS") ?? "inspect,estimate,predict")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        HostileCommand[] all =
        [
            new("inspect", f => ["inspect", .. f, "--format", "json"]),
            new("estimate", f => ["estimate", .. f, "--all-targets", "--format", "json"]),
            new("predict", f => ["predict", .. f, "--all-targets", "--model", modelDir, "--format", "json"], Batched: true),
        ];
        HostileCommand[] commands = [.. all.Where(c => chosen.Contains(c.Label, StringComparer.Ordinal))];
        Assert.NotEmpty(commands);

        string? reportDir = Environment.GetEnvironmentVariable("PERFSAGE_HOSTILE_REPORT");
        if (reportDir is not null)
        {
            Directory.CreateDirectory(reportDir);
        }
        var runner = new HostileRunner
        {
            Commands = commands,
            JournalPath = reportDir is null ? null : Path.Combine(reportDir, $"hostile-{label}-journal.log"),
        };
        TimeSpan cpuBefore;
        using (var self = Process.GetCurrentProcess())
        {
            cpuBefore = self.TotalProcessorTime;
        }
        HostileResult result = runner.Run(seed, count, seeds);
        long peak;
        TimeSpan cpu;
        using (var self = Process.GetCurrentProcess())
        {
            self.Refresh();
            peak = self.PeakWorkingSet64;
            cpu = self.TotalProcessorTime - cpuBefore;
        }
        string report = HostileReport.Render(result, commands, peak, cpu);
        output.WriteLine(report);
        if (reportDir is not null)
        {
            File.WriteAllText(Path.Combine(reportDir, $"hostile-{label}-report.md"), report);
        }

        long maxPeak = (long)EnvInt("PERFSAGE_HOSTILE_MAX_WS_MIB", DefaultMaxWorkingSetMib) << 20;
        bool ok = result.Violations.Count == 0 && !result.StoppedOnHangs && result.Completed == count && peak <= maxPeak;
        Assert.True(ok, (peak > maxPeak ? $"peak working set {peak >> 20} MiB exceeds {maxPeak >> 20} MiB\n" : "")
                        + (report.Length > 30_000 ? report[..30_000] + "\n…" : report));
    }

    private static int EnvInt(string name, int fallback)
    {
        string? text = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(text) ? fallback : int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
