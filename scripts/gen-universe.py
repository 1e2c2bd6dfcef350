#!/usr/bin/env python3
"""Generate data/universe.json: S&P 500 ∪ NASDAQ-100 ∪ index and sector ETFs, each with a GICS sector.

Source: the PyPI package pytickersymbols (constituents ship inside the package, no network at run time).
    pip install pytickersymbols==1.17.10 && python3 scripts/gen-universe.py
"""
import json
from pathlib import Path

from pytickersymbols import PyTickerSymbols

SECTORS = {
    "Communication Services": ["communication services", "communication", "media", "telecommunication", "interactive media"],
    "Consumer Discretionary": ["consumer discretionary", "consumer cyclical", "retail", "automobiles", "consumer services"],
    "Consumer Staples": ["consumer staples", "consumer defensive", "food", "beverages", "household products", "tobacco"],
    "Energy": ["energy", "oil", "gas"],
    "Financials": ["financials", "financial services", "financial", "banks", "insurance", "capital markets"],
    "Health Care": ["health care", "healthcare", "pharmaceuticals", "biotechnology", "medical"],
    "Industrials": ["industrials", "industrial", "aerospace", "machinery", "transportation"],
    "Information Technology": ["information technology", "technology", "software", "semiconductors", "electronics"],
    "Materials": ["materials", "basic materials", "chemicals", "metals", "mining"],
    "Real Estate": ["real estate", "reit"],
    "Utilities": ["utilities", "utility", "electric"],
}

# Companies whose listed industries name no sector.
OVERRIDES = {"MELI": "Consumer Discretionary", "PDD": "Consumer Discretionary", "ZS": "Information Technology"}

ETFS = {
    "SPX": ("S&P 500 index (the demo provider's real series)", "Index"),
    "SPY": ("SPDR S&P 500 ETF", "Index ETF"), "QQQ": ("Invesco QQQ Trust", "Index ETF"), "DIA": ("SPDR Dow Jones Industrial Average ETF", "Index ETF"),
    "XLC": ("Communication Services Select Sector SPDR", "Communication Services"), "XLY": ("Consumer Discretionary Select Sector SPDR", "Consumer Discretionary"),
    "XLP": ("Consumer Staples Select Sector SPDR", "Consumer Staples"), "XLE": ("Energy Select Sector SPDR", "Energy"),
    "XLF": ("Financial Select Sector SPDR", "Financials"), "XLV": ("Health Care Select Sector SPDR", "Health Care"),
    "XLI": ("Industrial Select Sector SPDR", "Industrials"), "XLK": ("Technology Select Sector SPDR", "Information Technology"),
    "XLB": ("Materials Select Sector SPDR", "Materials"), "XLRE": ("Real Estate Select Sector SPDR", "Real Estate"),
    "XLU": ("Utilities Select Sector SPDR", "Utilities"),
}


def sector_of(industries):
    lowered = [i.lower() for i in industries]
    for candidate in reversed(lowered):  # the broadest term is usually last
        for sector, words in SECTORS.items():
            if candidate == sector.lower() or candidate in words:
                return sector
    for candidate in reversed(lowered):
        for sector, words in SECTORS.items():
            if any(w in candidate for w in words):
                return sector
    return "Unknown"


def usd_symbol(stock):
    for s in stock.get("symbols", []):
        if s.get("currency") == "USD" and s.get("yahoo") and "." not in s["yahoo"].replace("BRK-B", "").replace("BF-B", ""):
            return s["yahoo"].replace("-", ".")
    return stock["symbol"].replace("-", ".")


def main():
    t = PyTickerSymbols()
    out = {}
    for index, tag in (("S&P 500", "SP500"), ("NASDAQ 100", "NDX100")):
        for stock in t.get_stocks_by_index(index):
            sym = usd_symbol(stock).upper()
            sector = OVERRIDES.get(sym) or sector_of(stock.get("industries", []))
            entry = out.setdefault(sym, {"symbol": sym, "name": stock["name"], "sector": sector, "indices": []})
            entry["indices"].append(tag)
    for sym, (name, sector) in ETFS.items():
        out[sym] = {"symbol": sym, "name": name, "sector": sector, "indices": ["INDEX" if sym == "SPX" else "ETF"]}
    rows = sorted(out.values(), key=lambda r: r["symbol"])
    path = Path(__file__).resolve().parent.parent / "data" / "universe.json"
    path.write_text(json.dumps({"source": "pytickersymbols 1.17.10 + index/sector ETFs", "symbols": rows}, indent=1) + "\n")
    unknown = [r["symbol"] for r in rows if r["sector"] == "Unknown"]
    print(f"{len(rows)} symbols written to {path}; sector unknown for {len(unknown)}: {' '.join(unknown[:20])}")


if __name__ == "__main__":
    main()
