using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Targets.Tests;

public sealed class CatalogTests(ITestOutputHelper output)
{
    private static readonly string[] ExpectedIds =
    [
        "adreno-640", "cortex-m0plus", "cortex-m3", "cortex-m33", "cortex-m4", "cortex-m55", "cortex-m7", "cortex-m85",
        "ethos-u55-128", "ethos-u55-256", "ethos-u55-32", "ethos-u55-64", "ethos-u65-256", "ethos-u65-512",
        "ethos-u85-1024", "ethos-u85-128", "ethos-u85-2048", "ethos-u85-256", "ethos-u85-512", "mali-g76",
    ];

    [Fact]
    public void Default_catalog_has_the_fifteen_targets()
    {
        TargetCatalog catalog = TargetCatalog.LoadDefault();
        Assert.Equal(ExpectedIds, catalog.Ids);
        Assert.Same(catalog, TargetCatalog.LoadDefault());
        Assert.True(Directory.Exists(catalog.Directory));
    }

    [Fact]
    public void Families_match_the_ids()
    {
        foreach (TargetSpec t in TargetCatalog.LoadDefault().Targets)
        {
            TargetFamily expected = t.Id.StartsWith("cortex-m", StringComparison.Ordinal) ? TargetFamily.CortexM
                : t.Id.StartsWith("ethos-u", StringComparison.Ordinal) ? TargetFamily.EthosU
                : TargetFamily.MobileGpu;
            Assert.Equal(expected, t.Family);
            Assert.NotEmpty(t.Summary);
            Assert.Equal("family", t.Summary[0].Key);
            output.WriteLine(t.Id + ": " + string.Join("; ", t.Summary.Select(l => $"{l.Key} = {l.Value}")));
        }
    }

    [Fact]
    public void Every_number_in_every_file_carries_a_source_or_an_assumption()
    {
        // Walk the raw JSON independently of the loader: every object with a "value" must have a unit and a
        // non-empty source or assumption, and no bare number may appear anywhere.
        int numbers = 0;
        foreach (string file in Directory.GetFiles(TargetCatalog.DefaultDirectory, "*.json"))
        {
            JsonNode root = JsonNode.Parse(File.ReadAllText(file))!;
            Walk(root, file + ":$", ref numbers);
        }
        Assert.True(numbers > 13 * 20, $"only {numbers} numbers found");

        static void Walk(JsonNode? node, string path, ref int numbers)
        {
            switch (node)
            {
                case JsonObject o when o.ContainsKey("value"):
                    Assert.True(o["value"] is JsonValue, path);
                    Assert.False(string.IsNullOrWhiteSpace((string?)o["unit"]), path + " has no unit");
                    string? source = (string?)o["source"];
                    string? assumption = (string?)o["assumption"];
                    Assert.False(string.IsNullOrWhiteSpace(source) && string.IsNullOrWhiteSpace(assumption),
                        path + " has neither source nor assumption");
                    numbers++;
                    break;
                case JsonObject o:
                    foreach (KeyValuePair<string, JsonNode?> p in o)
                    {
                        Walk(p.Value, path + "." + p.Key, ref numbers);
                    }
                    break;
                case JsonArray a:
                    for (int i = 0; i < a.Count; i++)
                    {
                        Walk(a[i], $"{path}[{i}]", ref numbers);
                    }
                    break;
                case JsonValue v:
                    Assert.False(v.GetValueKind() == System.Text.Json.JsonValueKind.Number, path + " is a bare number");
                    break;
            }
        }
    }

    [Fact]
    public void Unknown_id_lists_the_valid_ids()
    {
        TargetCatalog catalog = TargetCatalog.LoadDefault();
        TargetException e = Assert.Throws<TargetException>(() => catalog.Get("cortex-m1"));
        Assert.Contains("cortex-m1", e.Message);
        foreach (string id in ExpectedIds)
        {
            Assert.Contains(id, e.Message);
        }
        Assert.Equal(ExpectedIds, e.ValidIds);
    }

    [Fact]
    public void Lookup_ignores_case()
    {
        Assert.Equal("ethos-u55-128", TargetCatalog.LoadDefault().Get("Ethos-U55-128").Id);
    }

    [Fact]
    public void Ethos_u_mac_configurations_match_vela()
    {
        // TARGETS.md §1.1: MACs/cycle, cores, OFM µblock, SHRAM; §1.3 output table.
        TargetCatalog c = TargetCatalog.LoadDefault();
        (string Id, int Macs, int Cores, int W, int H, int D, int Shram, double AddSub)[] rows =
        [
            ("ethos-u55-32", 32, 1, 1, 1, 4, 16, 6.0),
            ("ethos-u55-64", 64, 1, 1, 1, 8, 16, 3.0),
            ("ethos-u55-128", 128, 1, 2, 1, 8, 24, 1.5),
            ("ethos-u55-256", 256, 1, 2, 2, 8, 48, 0.75),
            ("ethos-u65-256", 256, 1, 2, 2, 8, 48, 0.75),
            ("ethos-u65-512", 512, 2, 2, 2, 8, 48, 0.375),
        ];
        foreach (var r in rows)
        {
            var u = (EthosUSpec)c.Get(r.Id);
            Assert.Equal((r.Macs, r.Cores, r.W, r.H, r.D, r.Shram, r.AddSub),
                (u.MacsPerCycle, u.Cores, u.UblockW, u.UblockH, u.UblockD, u.ShramKb, u.OutputCyclesAddSub));
            // Peak MACs per cycle = µblock H·W·D × 8 (× cores).
            Assert.Equal(r.Macs, u.UblockW * u.UblockH * u.UblockD * 8 * u.Cores);
            Assert.Equal("cortex-m55", u.Host.Id);
        }
        Assert.Equal(EthosUMemoryMode.SharedSram, ((EthosUSpec)c.Get("ethos-u55-128")).MemoryMode);
        Assert.Equal(EthosUMemoryMode.DedicatedSram, ((EthosUSpec)c.Get("ethos-u65-256")).MemoryMode);
        Assert.Equal(384, ((EthosUSpec)c.Get("ethos-u65-512")).Sram.SizeKb!.Value);
    }

    [Fact]
    public void Default_clocks_are_the_sourced_ones()
    {
        TargetCatalog c = TargetCatalog.LoadDefault();
        Assert.Equal(120, c.Get("cortex-m4").ClockMhz.Value);
        Assert.Equal(216, c.Get("cortex-m7").ClockMhz.Value);
        Assert.Equal(160, c.Get("cortex-m33").ClockMhz.Value);
        Assert.Equal(480, c.Get("cortex-m85").ClockMhz.Value);
        Assert.Equal(500, c.Get("ethos-u55-256").ClockMhz.Value);
        Assert.Equal(1000, c.Get("ethos-u65-256").ClockMhz.Value);
        Assert.Equal(585, c.Get("adreno-640").ClockMhz.Value);
        Assert.Equal(CortexMStack.CmsisNn, ((CortexMSpec)c.Get("cortex-m7")).DefaultStack);
    }

    [Fact]
    public void Load_reads_a_custom_folder()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("cortex-m4", "cortex-m7");
        TargetCatalog custom = TargetCatalog.Load(dir.Path);
        Assert.Equal(["cortex-m4", "cortex-m7"], custom.Ids);
    }

    [Fact]
    public void A_number_without_source_is_rejected_with_its_path()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("cortex-m4", edit: j => j["clock_mhz"]!.AsObject().Remove("source"));
        TargetException e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path));
        Assert.Contains("cortex-m4.json", e.Message);
        Assert.Contains("$.clock_mhz", e.Message);
        Assert.Contains("source", e.Message);
    }

    [Fact]
    public void A_missing_field_is_rejected_with_its_path()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("ethos-u55-128", "cortex-m55", edit: j =>
        {
            if ((string?)j["id"] == "ethos-u55-128")
            {
                j["npu"]!.AsObject().Remove("shram_kb");
            }
        });
        TargetException e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path));
        Assert.Contains("$.npu.shram_kb is missing", e.Message);
    }

    [Fact]
    public void A_u85_microblock_must_be_named_by_its_shape_and_say_its_source()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("ethos-u85-256", "cortex-m85", edit: j =>
        {
            if ((string?)j["id"] == "ethos-u85-256")
            {
                var ublocks = j["npu"]!["ofm_ublocks"]!.AsObject();
                ublocks["2x2x8"] = ublocks["h2_w2_d8"]!.DeepClone();
                ublocks.Remove("h2_w2_d8");
            }
        });
        TargetException e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path));
        Assert.Contains("$.npu.ofm_ublocks.2x2x8 must be named h<H>_w<W>_d<D>", e.Message);

        using var dir2 = new TempCatalog();
        dir2.CopyFromDefault("ethos-u85-256", "cortex-m85", edit: j =>
        {
            if ((string?)j["id"] == "ethos-u85-256")
            {
                j["npu"]!["ofm_ublocks"]!["h1_w4_d8"]!.AsObject().Remove("source");
            }
        });
        e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir2.Path));
        Assert.Contains("$.npu.ofm_ublocks.h1_w4_d8.source is missing", e.Message);
    }

    [Fact]
    public void A_misspelt_cost_term_is_rejected()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("cortex-m4", edit: j =>
        {
            var conv = j["stacks"]!["vendor"]!["costs"]!["conv"]!.AsObject();
            conv["cycles_per_macs"] = conv["cycles_per_mac"]!.DeepClone();
            conv.Remove("cycles_per_mac");
        });
        TargetException e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path));
        Assert.Contains("$.stacks.vendor.costs.conv.cycles_per_macs is not a cost term", e.Message);
    }

    [Fact]
    public void An_ethos_target_without_its_host_is_rejected()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("ethos-u55-128");
        TargetException e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path));
        Assert.Contains("cortex-m55", e.Message);
    }

    [Fact]
    public void An_id_that_differs_from_the_file_name_is_rejected()
    {
        using var dir = new TempCatalog();
        dir.CopyFromDefault("cortex-m4", edit: j => j["id"] = "cortex-m4f");
        TargetException e = Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path));
        Assert.Contains("does not match the file name", e.Message);
    }

    [Fact]
    public void Invalid_json_and_missing_folders_are_domain_errors()
    {
        using var dir = new TempCatalog();
        File.WriteAllText(System.IO.Path.Combine(dir.Path, "broken.json"), "{ \"id\": ");
        Assert.Contains("invalid JSON", Assert.Throws<TargetException>(() => TargetCatalog.Load(dir.Path)).Message);
        Assert.Throws<TargetException>(() => TargetCatalog.Load(System.IO.Path.Combine(dir.Path, "nope")));
    }

    [Fact]
    public void Stack_names_round_trip_and_unknown_names_list_the_valid_ones()
    {
        foreach (CortexMStack s in CortexMStacks.All)
        {
            Assert.Equal(s, CortexMStacks.Parse(CortexMStacks.Name(s)));
        }
        Assert.Equal(CortexMStack.CmsisNn, CortexMStacks.Parse("CMSIS-NN"));
        TargetException e = Assert.Throws<TargetException>(() => CortexMStacks.Parse("tvm"));
        Assert.Contains("tflm-reference, cmsis-nn, vendor", e.Message);
    }

    [Fact]
    public void Numbers_keep_their_provenance()
    {
        TargetSpec m4 = TargetCatalog.LoadDefault().Get("cortex-m4");
        SourcedValue conv = m4.Numbers["$.stacks.cmsis-nn.costs.conv.cycles_per_mac"];
        Assert.Contains("fitted to MLPerf Tiny", conv.Source);
        Assert.False(conv.IsAssumption);
        Assert.True(m4.Numbers["$.memory.sram_kb"].IsAssumption);
    }
}
