using PerfSage.Model;

namespace PerfSage.Pipeline.Tests;

public class BudgetTests
{
    [Theory]
    [InlineData("latency_ms<=20", 20.0, true)]
    [InlineData("latency_ms<=20", 20.001, false)]
    [InlineData("latency_ms<20", 20.0, false)]
    [InlineData("peak_ram_kb>=256", 256.0, true)]
    [InlineData("peak_ram_kb>256", 256.0, false)]
    [InlineData(" flash_kb > 1.5e3 ", 1500.5, true)]
    public void Budget_operators_compare_as_written(string text, double value, bool allowed)
    {
        Assert.Equal(allowed, Budget.Parse(text).Allows(value));
    }

    [Fact]
    public void Budget_violations_state_the_broken_comparison()
    {
        Assert.Equal("latency_ms 25.5 > 20", Budget.Parse("latency_ms<=20").Violation(25.5));
        Assert.Equal("latency_ms 20 >= 20", Budget.Parse("latency_ms<20").Violation(20));
        Assert.Equal("energy_mj 1 < 2", Budget.Parse("energy_mj>=2").Violation(1));
        Assert.Equal(Metric.PeakRamKb, Budget.Parse("peak_ram_kb<=256").Metric);
        Assert.Equal("flash_kb>1500", Budget.Parse(" flash_kb > 1.5e3 ").ToString());
    }

    [Theory]
    [InlineData("latency_ms=20", "--budget 'latency_ms=20': expected METRIC<=VALUE (or <, >=, >)")]
    [InlineData("speed<=2", "--budget 'speed<=2': unknown metric 'speed'; valid: latency_ms, energy_mj, peak_ram_kb, flash_kb")]
    [InlineData("latency_ms<=fast", "--budget 'latency_ms<=fast': 'fast' is not a number")]
    [InlineData("latency_ms<=NaN", "--budget 'latency_ms<=NaN': 'NaN' is not a number")]
    public void A_budget_that_does_not_parse_names_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<UserInputException>(() => Budget.Parse(text));
        Assert.StartsWith(expected, e.Message);
    }
}
