extension RightsRules {
    /// A starting set of rules for a Vietnamese and English news portal, each with why; a desk
    /// copies it to its rights file and edits it. The most restrictive sources come first, since
    /// the first rule that fits wins ("Handout via Facebook" is social media; "POOL/REUTERS" is a
    /// pool picture, not a Reuters sale).
    public static let defaultText = """
        # Photodesk rights rules: the first rule whose match fits a photo gives its category and cost.
        #
        # A plain value is compared whole, trimmed and without regard to case (diacritics count);
        # { pattern: "*x*" } is a glob over the whole value (* any run, ? one character);
        # { exact: X } is compared exactly as written. Several fields in one match must all fit;
        # a list of values fits when any one does.
        #
        # Costs: free runs; conditional runs within the restrictions that come with the photo
        # (credit, no archive, embargo); pay needs a lease; deny never runs unless a lease clears it.
        rules:
          # Pictures lifted from social networks: the desk holds no licence from the person who
          # posted them (who may not be the author either). Denied until an editor clears one with
          # an allowing lease, after contacting the owner.
          - name: Social media (credit)
            match:
              credit:
                - { pattern: "*via facebook*" }
                - { pattern: "*facebook.com*" }
                - { pattern: "*twitter*" }
                - { pattern: "*x.com*" }
                - { pattern: "*tiktok*" }
                - { pattern: "*instagram*" }
                - { pattern: "*youtube*" }
            category: social-media
            cost: deny
          - name: Social media (source)
            match:
              source:
                - { pattern: "*facebook*" }
                - { pattern: "*twitter*" }
                - { pattern: "*x.com*" }
                - { pattern: "*tiktok*" }
                - { pattern: "*instagram*" }
                - { pattern: "*youtube*" }
            category: social-media
            cost: deny

          # Grabs of a broadcast or a web page: usable in reporting on what was shown, under the
          # quotation exception, naming whose screen it was. Conditional, never free.
          - name: Screenshot
            match:
              credit:
                - { pattern: "*screenshot*" }
                - { pattern: "*screen grab*" }
                - { pattern: "*screengrab*" }
                - { pattern: "*ảnh chụp màn hình*" }
            category: screenshot
            cost: conditional

          # Pool pictures are shared among the outlets admitted to an event, whichever agency
          # distributes them: free to members, within the pool's terms. Whole words only, so that
          # "Liverpool" is not a pool.
          - name: Pool
            match:
              credit:
                - pool
                - { pattern: "pool/*" }
                - { pattern: "pool *" }
                - { pattern: "*/pool" }
                - { pattern: "* pool" }
                - { pattern: "*/pool/*" }
                - { pattern: "*(pool)*" }
            category: pool
            cost: conditional

          # Handouts are given out for publication by their subject (a ministry, a company, a club):
          # free for news about that subject, with the credit they ask for.
          - name: Handout (credit)
            match:
              credit: { pattern: "*handout*" }
            category: handout
            cost: conditional
          - name: Handout (source)
            match:
              source: { pattern: "*handout*" }
            category: handout
            cost: conditional

          # Our own photographers: the desk owns the pictures outright.
          - name: Staff
            match:
              credit: Photodesk
            category: staff
            cost: free

          # The national agency (TTXVN, Vietnam News Agency) supplies the desk under a standing
          # contract: its pictures run without a lease per use, but within their terms (its credit
          # line, its embargoes), hence conditional rather than free. Change to pay if the desk has
          # no such contract.
          - name: Vietnam News Agency
            match:
              credit:
                - TTXVN
                - VNA
                - Vietnam News Agency
                - Thông tấn xã Việt Nam
                - { pattern: "*ttxvn*" }
                - { pattern: "vna/*" }
                - { pattern: "*/vna" }
                - { pattern: "*vietnam news agency*" }
            category: agency
            cost: conditional

          # The international wires sell per picture or by subscription: each use needs a lease
          # recording which contract or invoice covers it.
          - name: Reuters
            match:
              credit: { pattern: "*reuters*" }
            category: agency
            cost: pay
          - name: Associated Press
            match:
              credit:
                - AP
                - { pattern: "ap *" }
                - { pattern: "ap/*" }
                - { pattern: "*/ap" }
                - { pattern: "* ap" }
                - { pattern: "*(ap)*" }
                - { pattern: "*associated press*" }
            category: agency
            cost: pay
          # Agence France-Presse, and Getty Images, which distributes AFP and its own pictures.
          - name: AFP and Getty Images
            match:
              credit:
                - AFP
                - { pattern: "afp *" }
                - { pattern: "afp/*" }
                - { pattern: "*/afp" }
                - { pattern: "* afp" }
                - { pattern: "*(afp)*" }
                - { pattern: "*agence france-presse*" }
                - { pattern: "*getty*" }
            category: agency
            cost: pay
          - name: EPA
            match:
              credit:
                - EPA
                - { pattern: "epa *" }
                - { pattern: "epa/*" }
                - { pattern: "*/epa" }
                - { pattern: "* epa" }
                - { pattern: "*epa-efe*" }
                - { pattern: "*european pressphoto*" }
            category: agency
            cost: pay
          - name: Xinhua
            match:
              credit: { pattern: "*xinhua*" }
            category: agency
            cost: pay

        # A photo no rule fits: nobody vouched for it, so it runs only within its restrictions,
        # and the desk sees it as unknown.
        default:
          category: unknown
          cost: conditional

        """
}
