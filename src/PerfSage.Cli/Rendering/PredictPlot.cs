using PerfSage.Pipeline;
using ScottPlot;

namespace PerfSage.Cli.Rendering;

/// <summary>
/// The picture of <c>perfsage predict --plot</c>: one row per target and one panel per metric (latency, energy, peak
/// RAM, flash; <see cref="PlotGrid.Predict"/>), in each panel two bars per model, the network's prediction beside the
/// reference estimate. A bar is left out where there is no value (no reference for a target outside the catalog, no
/// prediction where the network failed). Rendered headless with ScottPlot (SkiaSharp) to PNG; kept in its own class
/// so that ScottPlot loads only when a plot is asked for.
/// </summary>
internal static class PredictPlot
{
    /// <summary>Renders the picture and writes it to <paramref name="path"/> through <see cref="PerfSage.IO.OutputFile"/>
    /// (never onto a device or one of <paramref name="inputs"/>).</summary>
    public static void Write(string path, IReadOnlyList<PredictedRow> rows, PlotGrid grid, IEnumerable<string> inputs)
    {
        List<string> models = rows.Select(r => r.Model).Distinct(StringComparer.Ordinal).ToList();
        List<string> targets = rows.Select(r => r.Target).Distinct(StringComparer.Ordinal).ToList();
        Color predictedColor = Color.FromHex("#0072B2"); // Okabe-Ito blue
        Color referenceColor = Color.FromHex("#E69F00"); // Okabe-Ito orange
        var multiplot = new Multiplot();
        int panel = 0;
        foreach (string target in targets)
        {
            foreach ((Metric metric, string label, string unit) in Commands.PredictCommand.MetricColumns)
            {
                Plot plot = panel < multiplot.Count() ? multiplot.GetPlot(panel) : multiplot.AddPlot();
                panel++;
                var bars = new List<Bar>();
                var ticks = new ScottPlot.TickGenerators.NumericManual();
                for (int m = 0; m < models.Count; m++)
                {
                    ticks.AddMajor(m, Shorten(Path.GetFileNameWithoutExtension(models[m])));
                    PredictedRow? row = rows.FirstOrDefault(r => r.Model == models[m] && r.Target == target);
                    if (row is null)
                    {
                        continue;
                    }
                    if (row.Prediction.Get(metric) is double p && double.IsFinite(p))
                    {
                        bars.Add(new Bar { Position = m - 0.2, Value = p, Size = 0.4, FillColor = predictedColor, LineWidth = 0 });
                    }
                    if (row.Reference is not null && ModelTargets.ReferenceValue(row.Reference, metric) is double r && double.IsFinite(r))
                    {
                        bars.Add(new Bar { Position = m + 0.2, Value = r, Size = 0.4, FillColor = referenceColor, LineWidth = 0 });
                    }
                }
                if (bars.Count > 0)
                {
                    plot.Add.Bars(bars);
                }
                plot.ShowLegend(
                [
                    new LegendItem { LabelText = "predicted", FillColor = predictedColor },
                    new LegendItem { LabelText = "reference estimate", FillColor = referenceColor },
                ], Alignment.UpperRight);
                plot.Legend.FontSize = 10;
                plot.Axes.Bottom.TickGenerator = ticks;
                // Margins first: it autoscales, which would undo the fixed x range set after it.
                plot.Axes.Margins(bottom: 0, top: 0.25);
                plot.Axes.SetLimitsX(-0.6, models.Count - 0.4);
                plot.YLabel($"{label} [{unit}]");
                plot.Title($"{target}: {label}", size: 13);
            }
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(grid.Rows, grid.Columns);
        using Image image = multiplot.Render(grid.WidthPx, grid.HeightPx);
        PerfSage.IO.OutputFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100), inputs, "--plot");
    }

    /// <summary>A model's name as a tick label: at most 16 characters, the end kept after an ellipsis.</summary>
    private static string Shorten(string name) => name.Length <= 16 ? name : "…" + name[^15..];
}
