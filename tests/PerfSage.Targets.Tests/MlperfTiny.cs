using PerfSage.Graph;
using PerfSage.Tests.Common;
using PerfSage.Tflite;

namespace PerfSage.Targets.Tests;

/// <summary>
/// MLPerf Tiny calibration rows (TARGETS.md §4: tiny_results v0.5-v1.2, median latency and energy; clocks
/// from the systems JSONs) and the four reference models in <c>../shared/models/mlperf_tiny/</c>.
/// </summary>
internal static class MlperfTiny
{
    public const string Kws = "mlperf_tiny/kws_ref_model.tflite";
    public const string Vww = "mlperf_tiny/vww_96_int8.tflite";
    public const string Ic = "mlperf_tiny/pretrainedResnet_quant.tflite";
    public const string Ad = "mlperf_tiny/model_ToyCar_quant_fullint_micro_intio.tflite";

    public static readonly string[] Models = [Kws, Vww, Ic, Ad];

    public static readonly string[] ModelNames = ["KWS", "VWW", "IC", "AD"];

    /// <summary>One published row: a board and stack mapped to a catalog target, stack and clock, with the four
    /// measured latencies (ms) and energies (µJ, NaN where not published).</summary>
    public sealed record Row(string Label, string TargetId, CortexMStack Stack, double ClockMhz, double[] LatencyMs, double[] EnergyUj, bool Calibrated);

    /// <summary>The rows the catalog is fitted to (plus Bosch's M7 row, printed only).</summary>
    public static readonly Row[] Rows =
    [
        new("v0.5 reference TFLM 2.3.1, L4R5ZI M4 @120", "cortex-m4", CortexMStack.TflmReference, 120,
            [181.9, 600.6, 704.2, 10.05], [7374, 24313, 29207, 416], true),
        new("v1.0 microTVM + CMSIS-NN, L4R5ZI M4 @120", "cortex-m4", CortexMStack.CmsisNn, 120,
            [99.8, 301.2, 389.6, 8.6], [5230, 15531, 20236, 443], true),
        new("v1.2 ST X-CUBE-AI 9, L4R5ZI M4 @120", "cortex-m4", CortexMStack.Vendor, 120,
            [43.2, 88.9, 165.1, 5.26], [1820, 3895, 6919, 203], true),
        new("v1.2 ST X-CUBE-AI 9, U575 M33 @160", "cortex-m33", CortexMStack.Vendor, 160,
            [29.1, 59.3, 111.1, 3.43], [656, 1355, 2579, 81.9], true),
        new("v1.1 Plumerai, F746NG M7 @216", "cortex-m7", CortexMStack.Vendor, 216,
            [17.75, 34.1, 62.9, 1.71], [double.NaN, double.NaN, double.NaN, double.NaN], true),
        new("v1.2 Renesas TFLM + CMSIS-NN, RA8D1 M85 @480", "cortex-m85", CortexMStack.CmsisNn, 480,
            [3.46, 13.39, 8.48, 0.53], [double.NaN, double.NaN, double.NaN, double.NaN], true),
        new("v1.2 Bosch HALE, F746NG M7 @216 (not fitted)", "cortex-m7", CortexMStack.Vendor, 216,
            [18.96, 57.25, 62.55, 1.71], [double.NaN, double.NaN, double.NaN, double.NaN], false),
    ];

    private static readonly Lazy<OpGraph[]?> Graphs = new(LoadAll);

    /// <summary>The four graphs (KWS, VWW, IC, AD); skips the test when ../shared is absent.</summary>
    public static OpGraph[] RequireGraphs()
    {
        foreach (string m in Models)
        {
            SharedData.Require("models/" + m);
        }
        return Graphs.Value!;
    }

    private static OpGraph[]? LoadAll()
    {
        string? root = SharedData.RootOrNull;
        if (root is null)
        {
            return null;
        }
        var graphs = new OpGraph[Models.Length];
        for (int i = 0; i < Models.Length; i++)
        {
            graphs[i] = OpGraph.FromModel(TfliteReader.ReadFile(Path.Combine(root, "models", Models[i])));
        }
        return graphs;
    }
}
