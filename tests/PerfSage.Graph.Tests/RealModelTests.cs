using System.Text;
using PerfSage.Graph;
using PerfSage.Tests.Common;
using PerfSage.Tflite;
using Xunit;

namespace PerfSage.Graph.Tests;

/// <summary>Real models from <c>../shared/models</c>. Expected numbers are from <c>docs/TARGETS.md</c> §4
/// (MLPerf Tiny reference models, parsed independently) and from <c>models/inventory.csv</c> (flatc's view).</summary>
public class RealModelTests
{
    private static OpGraph Load(string relative)
    {
        string path = SharedData.Require(Path.Combine("models", relative));
        return OpGraph.FromModel(TfliteReader.ReadFile(path));
    }

    [SkippableFact]
    public void Kws_ds_cnn_matches_the_reference_counts()
    {
        OpGraph g = Load("mlperf_tiny/kws_ref_model.tflite");
        Assert.Equal(13, g.Nodes.Length);
        Assert.Equal(5, g.CountOf("CONV_2D"));
        Assert.Equal(4, g.CountOf("DEPTHWISE_CONV_2D"));
        Assert.Equal(2_656_768, g.TotalMacs);
        // TARGETS.md's "weight elements" are filter and FC matrix elements, biases excluded:
        // 10·4·1·64 + 4·(3·3·64) + 4·(64·64) + 64·12 = 22,016.
        Assert.Equal(10 * 4 * 64 + 4 * 9 * 64 + 4 * 64 * 64 + 64 * 12, g.TotalWeightElements);
        Assert.Equal(22_016, g.TotalWeightElements);
        // Parameters add the biases: 9 layers of 64 plus 12.
        Assert.Equal(22_016 + 9 * 64 + 12, g.TotalParameters);
        Assert.Equal(53_936, g.FileBytes);
        Assert.Equal(0, g.UnsupportedOpCount);
    }

    [SkippableFact]
    public void Kws_arena_alternates_two_activation_buffers()
    {
        // Every layer after the first keeps 25·5·64 int8 = 8,000 B in and 8,000 B out, so 16,000 B are live
        // at each DW/PW op (the lower bound), and a chain alternates between two slots.
        OpGraph g = Load("mlperf_tiny/kws_ref_model.tflite");
        ArenaPlan plan = ArenaPlanner.Plan(g);
        Assert.Equal(2 * 8_000, plan.LowerBoundBytes);
        Assert.Equal(2 * 8_000, plan.PeakBytes);
        Assert.Equal(0, plan.PersistentBytes);
    }

    [SkippableFact]
    public void Vww_mobilenet_matches_the_reference_counts()
    {
        OpGraph g = Load("mlperf_tiny/vww_96_int8.tflite");
        Assert.Equal(31, g.Nodes.Length);
        Assert.Equal(14, g.CountOf("CONV_2D"));
        Assert.Equal(13, g.CountOf("DEPTHWISE_CONV_2D"));
        Assert.Equal(7_489_664, g.TotalMacs);
        Assert.Equal(208_112, g.TotalWeightElements);
    }

    [SkippableFact]
    public void Ic_resnet8_matches_the_reference_counts()
    {
        OpGraph g = Load("mlperf_tiny/pretrainedResnet_quant.tflite");
        Assert.Equal(16, g.Nodes.Length);
        Assert.Equal(9, g.CountOf("CONV_2D"));
        Assert.Equal(3, g.CountOf("ADD"));
        Assert.Equal(12_501_632, g.TotalMacs);
        Assert.Equal(77_360, g.TotalWeightElements);
    }

    [SkippableFact]
    public void Ad_toycar_autoencoder_matches_the_reference_counts()
    {
        OpGraph g = Load("mlperf_tiny/model_ToyCar_quant_fullint_micro_intio.tflite");
        Assert.Equal(10, g.Nodes.Length);
        Assert.Equal(10, g.CountOf("FULLY_CONNECTED"));
        Assert.Equal(264_192, g.TotalMacs);
        // Batch-1 FC: every weight is used once.
        Assert.Equal(264_192, g.TotalWeightElements);
        Assert.Equal(TensorType.Int8, g.Nodes[0].DType);
    }

    [SkippableFact]
    public void Float_and_int8_variants_count_the_same_work()
    {
        OpGraph f = Load("mlperf_tiny/kws_ref_model_float32.tflite");
        OpGraph q = Load("mlperf_tiny/kws_ref_model.tflite");
        Assert.Equal(q.TotalMacs, f.TotalMacs);
        Assert.Equal(q.TotalWeightElements, f.TotalWeightElements);
    }

    [SkippableFact]
    public void Every_inventory_model_builds_a_graph_matching_flatc_counts()
    {
        string root = SharedData.Require("models");
        List<Dictionary<string, string>> rows = ModelInventory.RequireRows();
        var failures = new StringBuilder();
        int built = 0, empty = 0;
        foreach (Dictionary<string, string> row in rows)
        {
            string file = row["file"];
            // Every inventory row is a model flatc read: the reader must read it too (a failure fails the test).
            TfliteModel model;
            try
            {
                model = TfliteReader.ReadFile(Path.Combine(root, file));
            }
            catch (TfliteFormatException e)
            {
                failures.AppendLine($"{file}: unreadable: {e.Message}");
                continue;
            }
            int subgraphs = int.Parse(row["subgraphs"]);
            if (subgraphs == 0)
            {
                Assert.Throws<OpGraphException>(() => OpGraph.FromModel(model));
                empty++;
                continue;
            }
            OpGraph g;
            try
            {
                g = OpGraph.FromModel(model);
            }
            catch (OpGraphException e)
            {
                failures.AppendLine($"{file}: {e.Message}");
                continue;
            }
            built++;
            Check(failures, file, "subgraphs", subgraphs, g.SubgraphCount);
            Check(failures, file, "tensors", int.Parse(row["tensors"]), g.TotalTensorCount);
            Check(failures, file, "operators", int.Parse(row["operators"]), g.TotalOperatorCount);
            var listed = new HashSet<string>(
                row["op_types"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            var ours = new HashSet<string>(g.OpCounts.Keys);
            if (subgraphs == 1 ? !ours.SetEquals(listed) : !ours.IsSubsetOf(listed))
            {
                failures.AppendLine($"{file}: op types [{string.Join(", ", ours)}] vs inventory [{row["op_types"]}]");
            }
            ArenaPlan plan = ArenaPlanner.Plan(g);
            if (plan.PeakBytes < plan.LowerBoundBytes || plan.PeakBytes > plan.NaiveBytes)
            {
                failures.AppendLine($"{file}: arena peak {plan.PeakBytes} outside [{plan.LowerBoundBytes}, {plan.NaiveBytes}]");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
        // Guard against a vacuous pass: every row was read, and built or refused as empty.
        Assert.True(rows.Count >= 300, $"only {rows.Count} inventory rows");
        Assert.Equal(rows.Count, built + empty);
    }

    [SkippableFact]
    public void MobileNetV2_builds_the_same_graph_every_time()
    {
        // Speed is measured by scripts/bench (phase "parse+graph"); here only that rebuilding is deterministic.
        string path = SharedData.Require("models/tflm/mobilenet_v2_quantized_1x3x224x224.tflite");
        TfliteModel model = TfliteReader.ReadFile(path);
        OpGraph g = OpGraph.FromModel(model);
        OpGraph again = OpGraph.FromModel(model);
        Assert.Equal(84, g.Nodes.Length);
        Assert.Equal(g.TotalMacs, again.TotalMacs);
        Assert.Equal(g.Nodes.Select(n => n.OpCode), again.Nodes.Select(n => n.OpCode));
    }

    private static void Check(StringBuilder failures, string file, string what, int expected, int actual)
    {
        if (expected != actual)
        {
            failures.AppendLine($"{file}: {what} {actual}, inventory says {expected}");
        }
    }
}
