using PerfSage.Model;
using ScottPlot;

namespace PerfSage.Cli.Rendering;

/// <summary>
/// The learning curve of <c>perfsage eval --few-shot --plot</c>: MAPE (left) and Spearman (right) against the number of
/// labelled graphs k (log10 axis, ticks labelled with k), the new head beside the MAC-count baseline, error bars of one
/// standard deviation over the repeats. Rendered headless with ScottPlot to PNG.
/// </summary>
internal static class FewShotPlot
{
    /// <summary>Renders the plot and writes it to <paramref name="path"/> through <see cref="PerfSage.IO.OutputFile"/>
    /// (never onto a device or one of <paramref name="inputs"/>).</summary>
    public static void Write(string path, IReadOnlyList<(FewShotSummary Model, FewShotSummary Baseline)> rows, string title,
        IEnumerable<string> inputs)
    {
        double[] xs = rows.Select(r => Math.Log10(r.Model.K)).ToArray();
        var multiplot = new Multiplot();
        Panel(multiplot.GetPlot(0), xs, rows, r => r.MapePercent, r => r.MapePercentStd, "MAPE [%]", title);
        Panel(multiplot.AddPlot(), xs, rows, r => r.Spearman, r => r.SpearmanStd, "Spearman", title);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(1, 2);
        using Image image = multiplot.Render(1240, 520);
        PerfSage.IO.OutputFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100), inputs, "--plot");
    }

    private static void Panel(Plot plot, double[] xs, IReadOnlyList<(FewShotSummary Model, FewShotSummary Baseline)> rows,
        Func<FewShotSummary, double> value, Func<FewShotSummary, double> std, string label, string title)
    {
        var palette = new ScottPlot.Palettes.Category10();
        (string Name, Func<(FewShotSummary Model, FewShotSummary Baseline), FewShotSummary> Pick)[] series =
            [("perfsage", r => r.Model), ("MAC baseline", r => r.Baseline)];
        for (int s = 0; s < series.Length; s++)
        {
            double[] ys = rows.Select(r => value(series[s].Pick(r))).ToArray();
            double[] es = rows.Select(r => std(series[s].Pick(r))).ToArray();
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(s));
            line.LegendText = series[s].Name;
            var bars = plot.Add.ErrorBar(xs, ys, es);
            bars.Color = palette.GetColor(s);
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach ((FewShotSummary model, _) in rows)
        {
            ticks.AddMajor(Math.Log10(model.K), model.K.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.XLabel("labelled graphs k (log scale)");
        plot.YLabel(label);
        plot.Title($"{title}: {label}");
        plot.ShowLegend(Alignment.UpperRight);
    }
}
