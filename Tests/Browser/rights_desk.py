"""The rights desk in a real browser (issue 23), for RightsBrowserTests.

An admin signs in, opens an agency photo's page, reads its rights (category, cost, the reason it
may not run, its restrictions with the words the parser did not understand), adds an allowing
lease through the page's form, and screenshots the page; then opens /desk, reads the articles the
rights guard would refuse and the killed photos, and screenshots it. Chromium and chromedriver are
Debian's; selenium comes from the virtual environment `make test` makes under .build/.

The password is read from standard input. One JSON object is printed on standard output: what each
step saw. On a failure it is {"error", "step", "url"}, failure.png is written, and the exit status
is 1.
"""

import argparse
import json
import os
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown

from desk_workflow import FAILURES, Step, parse_session, report_failure, sign_in, start_browser, wait


def texts(driver, selector):
    return [element.text.strip() for element in driver.find_elements(By.CSS_SELECTOR, selector)]


def read_rights(driver):
    section = driver.find_element(By.ID, "rights")
    return {
        "heading": section.find_element(By.CSS_SELECTOR, "h2").text.strip(),
        "status": section.find_element(By.CSS_SELECTOR, "p .status").text.strip(),
        "restrictions": texts(driver, "#rights .restrictions li"),
        "leases": texts(driver, "#rights .leases li"),
        "killButton": len(driver.find_elements(By.ID, "kill")),
    }


def photo_page(driver, base, photo, screenshots):
    Step.name = "reading the photo's rights"
    driver.get(base + "photos/" + photo + "#rights")
    wait(driver).until(shown.presence_of_element_located((By.ID, "rights")))
    before = read_rights(driver)
    Step.name = "adding a lease from the page"
    driver.find_element(By.ID, "lease-note").send_keys("Reuters invoice 4411")
    driver.find_element(By.ID, "add-lease").click()
    wait(driver).until(shown.presence_of_element_located((By.CSS_SELECTOR, "#rights .leases li")))
    after = read_rights(driver)
    driver.set_window_size(1280, 2200)
    driver.execute_script("document.getElementById('rights').scrollIntoView()")
    driver.save_screenshot(os.path.join(screenshots, "rights-photo.png"))
    return before, after


def desk_page(driver, base, screenshots):
    Step.name = "reading the desk"
    driver.get(base + "desk")
    wait(driver).until(shown.presence_of_element_located((By.ID, "rights")))
    report = {
        "refused": texts(driver, "#rights .refused > li"),
        "kills": texts(driver, "#rights .kills tbody tr"),
    }
    driver.execute_script("document.getElementById('rights').scrollIntoView()")
    driver.save_screenshot(os.path.join(screenshots, "rights-desk.png"))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", required=True, help="the agency photo's short id")
    arguments, password = parse_session(parser)
    report = {}
    driver = None
    try:
        driver = start_browser(arguments)
        report["signedInAs"] = sign_in(driver, arguments.base, arguments.user, password)
        report["before"], report["after"] = photo_page(
            driver, arguments.base, arguments.photo, arguments.screenshots
        )
        report["desk"] = desk_page(driver, arguments.base, arguments.screenshots)
    except FAILURES as error:
        return report_failure(error, driver, arguments.screenshots)
    finally:
        if driver is not None:
            driver.quit()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
