using System.Globalization;
using System.Text;
using PerfSage.Graph;
using Xunit;
using Xunit.Abstractions;

namespace PerfSage.Targets.Tests;

/// <summary>
/// Board presets against MLPerf Tiny measurements. The power factors are fitted only on the TARGETS.md §4 rows with
/// energy (NUCLEO-L4R5ZI ×3, NUCLEO-U575ZI-Q); the held-out rows below were not used for any fit.
/// </summary>
public sealed class BoardCalibrationTests(ITestOutputHelper output)
{
    private static readonly BoardCatalog Boards = BoardCatalog.LoadDefault();

    /// <summary>A measured row on a board: latencies (ms) and energies (µJ) of KWS, VWW, IC, AD.</summary>
    private sealed record BoardRow(string Label, string Board, CortexMStack Stack, double[] LatencyMs, double[] EnergyUj, bool HeldOut);

    /// <summary>
    /// Fitted rows: TARGETS.md §4. Held out: MLPerf Tiny v1.1, closed/Krai/results/NUCLEO-H7A3ZI-Q_X-CUBE-AI-8.0/
    /// {kws,vww,ic,ad}/energy/results.txt (github.com/mlcommons/tiny_results_v1.1, commit 04558bf): median energy
    /// 2362.103 / 6928.315 / 7615.350 / 235.833 µJ per inference and, in the same energy-mode run, median throughput
    /// 59.988 / 19.934 / 18.283 / 549.048 inferences/s (latency = 1000 / throughput); system 280 MHz, 3.0 V with SMPS
    /// (systems/NUCLEO-H7A3ZI-Q_X-CUBE-AI-8.0.json). X-CUBE-AI is the "vendor" stack on ST boards.
    /// </summary>
    private static readonly BoardRow[] Rows =
    [
        new("v0.5 reference TFLM 2.3.1", "nucleo-l4r5zi", CortexMStack.TflmReference,
            [181.9, 600.6, 704.2, 10.05], [7374, 24313, 29207, 416], false),
        new("v1.0 microTVM + CMSIS-NN", "nucleo-l4r5zi", CortexMStack.CmsisNn,
            [99.8, 301.2, 389.6, 8.6], [5230, 15531, 20236, 443], false),
        new("v1.2 ST X-CUBE-AI 9", "nucleo-l4r5zi", CortexMStack.Vendor,
            [43.2, 88.9, 165.1, 5.26], [1820, 3895, 6919, 203], false),
        new("v1.2 ST X-CUBE-AI 9", "nucleo-u575zi-q", CortexMStack.Vendor,
            [29.1, 59.3, 111.1, 3.43], [656, 1355, 2579, 81.9], false),
        new("v1.1 Krai X-CUBE-AI 8.0 (held out)", "nucleo-h7a3zi-q", CortexMStack.Vendor,
            [1000 / 59.988, 1000 / 19.934, 1000 / 18.283, 1000 / 549.048], [2362.103, 6928.315, 7615.350, 235.833], true),
    ];

    [SkippableFact]
    public void Fitted_and_held_out_rows()
    {
        OpGraph[] graphs = MlperfTiny.RequireGraphs();
        var table = new StringBuilder();
        table.AppendLine("| row | board | used | model | measured ms | estimate ms | error | measured µJ | estimate µJ | error |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        var heldLatency = new List<double>();
        var heldEnergy = new List<double>();
        var fittedEnergy = new List<double>();
        foreach (BoardRow row in Rows)
        {
            Board board = Boards.Get(row.Board);
            for (int m = 0; m < graphs.Length; m++)
            {
                TargetEstimate e = BoardEstimator.Estimate(board, graphs[m], new EstimateOptions { Stack = row.Stack });
                double le = e.LatencyMs / row.LatencyMs[m] - 1;
                double ee = e.EnergyMj * 1000 / row.EnergyUj[m] - 1;
                (row.HeldOut ? heldLatency : null)?.Add(Math.Abs(le));
                (row.HeldOut ? heldEnergy : fittedEnergy).Add(Math.Abs(ee));
                table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Label} | {row.Board} | {(row.HeldOut ? "held out" : "fitted")} | {MlperfTiny.ModelNames[m]} | {row.LatencyMs[m]:0.##} | {e.LatencyMs:0.##} | {le:+0.0%;-0.0%} | {row.EnergyUj[m]:0.#} | {e.EnergyMj * 1000:0.#} | {ee:+0.0%;-0.0%} |"));
            }
        }
        double medL = Median(heldLatency), medE = Median(heldEnergy), medF = Median(fittedEnergy);
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"held-out median |error|: latency {medL:0.0%}, energy {medE:0.0%}; fitted rows median energy |error| {medF:0.0%}"));
        output.WriteLine(table.ToString());
        // The fitted rows must stay close (their power factors were fitted on them).
        Assert.True(medF <= 0.15, $"fitted energy median {medF:P1}");
        // Held out: recorded, not tuned. Goals of issue #15 (latency <= 15 %, energy <= 30 %): see docs/BOARDS.md.
        Assert.True(double.IsFinite(medL) && double.IsFinite(medE));
    }

    private static double Median(List<double> values)
    {
        double[] v = [.. values.Order()];
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
