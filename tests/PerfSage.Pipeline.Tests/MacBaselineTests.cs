namespace PerfSage.Pipeline.Tests;

public class MacBaselineTests
{
    [Fact]
    public void The_baseline_recovers_an_exact_power_law_and_drops_a_constant_column()
    {
        // y = 3 · (1 + MACs)^0.9 · ops^0.5, so ln y = ln 3 + 0.9·ln(1 + MACs) + 0.5·ln(ops).
        double[][] x = [.. new (double Macs, double Ops)[] { (1e5, 10), (4e5, 12), (2e6, 20), (9e6, 15), (3e7, 40) }
            .Select(p => new[] { Math.Log(1 + p.Macs), Math.Log(p.Ops) })];
        double[] y = [.. x.Select(r => Math.Log(3) + (0.9 * r[0]) + (0.5 * r[1]))];
        MacBaseline.Fit fit = MacBaseline.FitOne(x, y)!;
        Assert.Equal([0, 1], fit.Columns);
        Assert.Equal(Math.Log(3), fit.Beta[0], 9);
        Assert.Equal(0.9, fit.Beta[1], 9);
        Assert.Equal(0.5, fit.Beta[2], 9);

        // Every graph with 10 ops: the op-count column is constant, so only ln y = a + b·ln(1 + MACs) is fitted.
        double[][] same = [.. x.Select(r => new[] { r[0], Math.Log(10) })];
        double[] y2 = [.. same.Select(r => Math.Log(2) + r[0])];
        MacBaseline.Fit fit2 = MacBaseline.FitOne(same, y2)!;
        Assert.Equal([0], fit2.Columns);
        Assert.Equal(Math.Log(2), fit2.Beta[0], 9);
        Assert.Equal(1.0, fit2.Beta[1], 9);

        // One graph: the intercept alone, the mean of ln y.
        MacBaseline.Fit fit3 = MacBaseline.FitOne([x[0]], [1.5])!;
        Assert.Empty(fit3.Columns);
        Assert.Equal(1.5, fit3.Beta[0], 12);
    }
}
